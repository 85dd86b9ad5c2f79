//! The Spend Limits client and credential reach against the in-process fake Admin API:
//! limits and the effective report equal the truth and round-trip (set, upsert, get,
//! delete), what an organisation kind cannot write is refused, and each credential kind
//! reaches the APIs its kind and scopes allow.

use costledger::model::{
    AnalyticsUnavailable, OrgKind, SpendLimitScope, SpendLimitWrite, SpendMember, SpendPeriod,
};
use costledger::source::anthropic::CredentialReach;
use costledger::source::anthropic::analytics::{AdminKeyKind, SpendLimitFilter, admin_key_kind};
use costledger::{Money, SecretString};
use fake_admin_api::{FakeConfig, FakeServer, OrgKinds};

use crate::analytics_source::{Plan, org, source};

#[tokio::test]
async fn credential_kinds_and_what_they_reach() {
    let kinds = OrgKinds::none().with_enterprise(1).with_hipaa(2);
    let server = FakeServer::start_with_kinds(FakeConfig::default(), kinds)
        .await
        .unwrap();
    let source = source(&server);
    let orgs = server.orgs();
    let now = server.now();
    let reach = |key: String| {
        let source = source.clone();
        async move {
            assert!(admin_key_kind(&SecretString::from(key.as_str())).is_ok());
            let plan = Plan::new(&key);
            source.credential_reach(plan.ctx(), now).await.unwrap()
        }
    };
    assert_eq!(
        reach(orgs[0].admin_key.clone()).await,
        CredentialReach {
            legacy_reports: true,
            analytics: None,
            spend_limits: true,
            checked_at: now,
        }
    );
    assert_eq!(
        reach(orgs[2].admin_key.clone()).await.analytics,
        Some(AnalyticsUnavailable::HipaaOrganization)
    );
    let scoped = server.scoped_keys();
    let full = scoped
        .iter()
        .find(|k| k.scopes.iter().any(|s| s == "read:analytics"))
        .unwrap();
    assert_eq!(
        admin_key_kind(&SecretString::from(full.key.as_str())).unwrap(),
        AdminKeyKind::EnterpriseScoped
    );
    assert_eq!(
        reach(full.key.clone()).await,
        CredentialReach {
            legacy_reports: false,
            analytics: None,
            spend_limits: true,
            checked_at: now,
        }
    );
    let read_only = scoped
        .iter()
        .find(|k| k.scopes == ["read:spend_limits"])
        .unwrap();
    assert_eq!(
        reach(read_only.key.clone()).await,
        CredentialReach {
            legacy_reports: false,
            analytics: Some(AnalyticsUnavailable::MissingScope),
            spend_limits: true,
            checked_at: now,
        }
    );
    let only_analytics = server
        .add_scoped_key(&orgs[1].id, &["read:analytics"])
        .unwrap();
    assert_eq!(
        reach(only_analytics).await,
        CredentialReach {
            legacy_reports: false,
            analytics: None,
            spend_limits: false,
            checked_at: now,
        }
    );
    // A revoked key is an error, not "reaches nothing".
    server.revoke_key(&orgs[0].admin_key);
    let plan = Plan::new(&orgs[0].admin_key);
    let e = source.credential_reach(plan.ctx(), now).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(!e.to_string().contains(&orgs[0].admin_key));
    server.shutdown().await;
}

#[tokio::test]
async fn spend_limits_round_trip_and_org_kinds_are_enforced() {
    let kinds = OrgKinds::none().with_enterprise(1);
    let server = FakeServer::start_with_kinds(FakeConfig::default(), kinds)
        .await
        .unwrap();
    let source = source(&server);
    let orgs = server.orgs();
    let all = SpendLimitFilter::default();

    // Enterprise: the list and the effective report equal the truth exactly.
    let enterprise = Plan::new(&orgs[1].admin_key);
    let truth = server.truth();
    let limits_truth = &org(&truth, &orgs[1].id).spend_limits;
    let listed = source.spend_limits(enterprise.ctx(), &all).await.unwrap();
    assert_eq!(listed.len(), limits_truth.limits.len());
    for l in &limits_truth.limits {
        let got = listed.iter().find(|g| g.id == l.id).unwrap();
        let want = l
            .amount
            .as_ref()
            .map(|a| Money::from_cents(a.parse().unwrap()));
        assert_eq!(got.amount, want, "{}", l.id);
        assert_eq!(got.period.as_str(), l.period);
        assert_eq!(
            serde_json::to_value(&got.scope).unwrap(),
            serde_json::to_value(&l.scope).unwrap()
        );
    }
    let effective = source
        .effective_spend(enterprise.ctx(), &[], &[])
        .await
        .unwrap();
    assert_eq!(effective.len(), limits_truth.effective.len());
    assert!(!effective.is_empty());
    for (got, want) in effective.iter().zip(&limits_truth.effective) {
        let SpendMember::User { user_id, .. } = &got.member else {
            panic!("members are users");
        };
        let fake_admin_api::ActorJson::User {
            user_id: want_id, ..
        } = &want.row.actor
        else {
            panic!("truth members are users");
        };
        assert_eq!(user_id, want_id);
        assert_eq!(got.period.as_str(), want.row.period);
        // Exact to the thousandth of a cent: the truth's nanos rounded half-even to 3
        // decimals of a cent equal what was parsed.
        assert_eq!(
            got.period_to_date_spend,
            Money::parse_cents(&want.row.period_to_date_spend).unwrap()
        );
        let nanos = want.period_to_date_spend_nanos as i64;
        assert!((got.period_to_date_spend.nanos() - nanos).abs() <= 5_000);
        assert_eq!(
            got.spend_limit_id.as_deref(),
            Some(want.row.spend_limit_id.as_str())
        );
    }

    // Set a member's limit, set it again (same id), read it, see it in the effective
    // report, delete it.
    let user_id = match &effective[0].member {
        SpendMember::User { user_id, .. } => user_id.clone(),
        SpendMember::ScopedApiKey { .. } => unreachable!(),
    };
    let write = SpendLimitWrite {
        scope: SpendLimitScope::User {
            user_id: user_id.clone(),
        },
        period: SpendPeriod::Daily,
        amount: Some(Money::from_cents(12_345)),
    };
    let set = source
        .set_spend_limit(enterprise.ctx(), &write, Some(OrgKind::Enterprise))
        .await
        .unwrap();
    assert_eq!(set.amount, Some(Money::from_cents(12_345)));
    let again = source
        .set_spend_limit(
            enterprise.ctx(),
            &SpendLimitWrite {
                amount: Some(Money::from_cents(20_000)),
                ..write.clone()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(again.id, set.id, "an upsert on (scope, period)");
    let read = source.spend_limit(enterprise.ctx(), &set.id).await.unwrap();
    assert_eq!(read.amount, Some(Money::from_cents(20_000)));
    let mine = source
        .effective_spend(
            enterprise.ctx(),
            &[SpendPeriod::Daily],
            std::slice::from_ref(&user_id),
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].amount, Some(Money::from_cents(20_000)));
    assert_eq!(mine[0].spend_limit_id.as_deref(), Some(set.id.as_str()));
    let truth_row = org(&server.truth(), &orgs[1].id)
        .spend_limits
        .effective
        .iter()
        .find(|r| r.row.spend_limit_id == set.id)
        .cloned()
        .unwrap();
    assert_eq!(
        mine[0].period_to_date_spend,
        Money::parse_cents(&truth_row.row.period_to_date_spend).unwrap()
    );
    source
        .delete_spend_limit(enterprise.ctx(), &set.id)
        .await
        .unwrap();
    let listed = source.spend_limits(enterprise.ctx(), &all).await.unwrap();
    assert!(listed.iter().all(|l| l.id != set.id));
    assert_eq!(listed.len(), limits_truth.limits.len());
    let e = source
        .spend_limit(enterprise.ctx(), &set.id)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");

    // What an Enterprise org cannot set: refused locally with the kind known, by the
    // provider without it.
    let org_limit = SpendLimitWrite {
        scope: SpendLimitScope::Organization,
        period: SpendPeriod::Monthly,
        amount: Some(Money::from_cents(1_000_000)),
    };
    server.reset_stats();
    let e = source
        .set_spend_limit(enterprise.ctx(), &org_limit, Some(OrgKind::Enterprise))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_eq!(server.stats().requests, 0);
    let e = source
        .set_spend_limit(enterprise.ctx(), &org_limit, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("organization"), "{e}");
    assert!(!e.to_string().contains(&orgs[1].admin_key));

    // Console: organisation limits can be set, a user limit and the effective report
    // cannot.
    let console = Plan::new(&orgs[0].admin_key);
    let set = source
        .set_spend_limit(console.ctx(), &org_limit, Some(OrgKind::Console))
        .await
        .unwrap();
    assert_eq!(set.scope, SpendLimitScope::Organization);
    let listed = source
        .spend_limits(
            console.ctx(),
            &SpendLimitFilter {
                scope_types: vec!["organization".into()],
                workspace_id: None,
            },
        )
        .await
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|l| l.id == set.id && l.amount == org_limit.amount)
    );
    let e = source
        .set_spend_limit(console.ctx(), &write, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let e = source
        .effective_spend(console.ctx(), &[], &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("Enterprise"), "{e}");
    source
        .delete_spend_limit(console.ctx(), &set.id)
        .await
        .unwrap();
    server.shutdown().await;
}
