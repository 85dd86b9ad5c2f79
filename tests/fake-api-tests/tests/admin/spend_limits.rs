//! The Spend Limits API: set (upsert), get, delete and the effective report round trip,
//! and what each kind of org may set and delete.

use crate::admin::common::{Resp, SPEND_READS_BETA, key, request, start_kinds};
use fake_admin_api::{FakeServer, OrgKinds};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) async fn call(
    server: &FakeServer,
    k: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Resp {
    let headers = [
        ("x-api-key", k),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", SPEND_READS_BETA),
    ];
    request(server, method, path, &headers, body.map(|b| b.to_string())).await
}

pub(crate) async fn ok(
    server: &FakeServer,
    k: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let r = call(server, k, method.clone(), path, body).await;
    assert_eq!(r.status, 200, "{method} {path}: {}", r.body);
    r.json()
}

async fn rejected(
    server: &FakeServer,
    k: &str,
    method: Method,
    path: &str,
    body: Value,
    needle: &str,
) {
    let r = call(server, k, method, path, Some(body.clone())).await;
    assert_eq!(r.status, 400, "{body}: {}", r.body);
    let (kind, message) = r.error();
    assert_eq!(kind, "invalid_request_error");
    assert!(message.contains(needle), "{body}: {message}");
}

pub(crate) async fn list_all(server: &FakeServer, k: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("spend_limits?{query}");
    loop {
        let page = ok(server, k, Method::GET, &url, None).await;
        assert_eq!(crate::admin::common::fields(&page), ["data", "next_page"]);
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_page"].as_str() {
            Some(t) => url = format!("spend_limits?{query}&page={t}"),
            None => return out,
        }
    }
}

#[tokio::test]
async fn enterprise_round_trip_set_get_list_delete_effective() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let writer = server.scoped_keys()[0].key.clone();
    let truth = server.truth();
    let org = &truth.orgs[1];
    let user = org
        .spend_limits
        .seat_tiers
        .keys()
        .find(|u| {
            // A member whose limit is inherited, not overridden.
            !org.spend_limits.limits.iter().any(|l| {
                l.scope
                    == fake_admin_api::SpendLimitScope::User {
                        user_id: (*u).clone(),
                    }
            })
        })
        .unwrap()
        .clone();
    let body = json!({"scope": {"type": "user", "user_id": user}, "amount": "75000"});
    let set = ok(&server, &writer, Method::POST, "spend_limits", Some(body)).await;
    assert_eq!(set["type"], "spend_limit");
    assert_eq!(set["amount"], "75000");
    assert_eq!(set["period"], "monthly", "the default period");
    assert_eq!(set["currency"], "USD");
    assert_eq!(set["is_enabled"], true);
    assert_eq!(set["scope"], json!({"type": "user", "user_id": user}));
    assert_eq!(set["created_at"], "2026-11-20T00:00:01Z");
    let id = set["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("spl_01"));
    assert_eq!(
        ok(
            &server,
            &writer,
            Method::GET,
            &format!("spend_limits/{id}"),
            None
        )
        .await,
        set
    );
    // Setting the same (scope, period) again overwrites in place.
    let body =
        json!({"scope": {"type": "user", "user_id": user}, "amount": null, "period": "monthly"});
    let again = ok(&server, &writer, Method::POST, "spend_limits", Some(body)).await;
    assert_eq!(again["id"], id.as_str());
    assert!(again["amount"].is_null());
    assert_eq!(again["created_at"], set["created_at"]);
    assert_eq!(again["updated_at"], "2026-11-20T00:00:02Z");
    let weekly =
        json!({"scope": {"type": "user", "user_id": user}, "amount": "9000", "period": "weekly"});
    let weekly = ok(&server, &writer, Method::POST, "spend_limits", Some(weekly)).await;
    assert_ne!(weekly["id"], id.as_str());
    let listed = list_all(&server, &writer, "scope_type[]=user").await;
    assert!(listed.contains(&again) && listed.contains(&weekly));
    // The effective report resolves the override first.
    let eff = ok(
        &server,
        &writer,
        Method::GET,
        &format!("spend_limits/effective?user_ids[]={user}"),
        None,
    )
    .await;
    let rows = eff["data"].as_array().unwrap();
    let monthly = rows.iter().find(|r| r["period"] == "monthly").unwrap();
    assert_eq!(monthly["spend_limit_id"], id.as_str());
    assert!(monthly["amount"].is_null(), "explicit no limit");
    assert_eq!(monthly["source"], json!({"type": "user", "user_id": user}));
    assert_eq!(monthly["scope"], json!({"type": "user", "user_id": user}));
    assert_eq!(
        rows.iter().find(|r| r["period"] == "weekly").unwrap()["amount"],
        "9000"
    );
    // Deleting the override falls back to the inherited limit.
    let deleted = ok(
        &server,
        &writer,
        Method::DELETE,
        &format!("spend_limits/{id}"),
        None,
    )
    .await;
    assert_eq!(deleted, json!({"id": id, "type": "spend_limit_deleted"}));
    let r = call(
        &server,
        &writer,
        Method::GET,
        &format!("spend_limits/{id}"),
        None,
    )
    .await;
    assert_eq!((r.status, r.error().0.as_str()), (404, "not_found_error"));
    assert_eq!(
        call(
            &server,
            &writer,
            Method::DELETE,
            &format!("spend_limits/{id}"),
            None
        )
        .await
        .status,
        404
    );
    let eff = ok(
        &server,
        &writer,
        Method::GET,
        &format!("spend_limits/effective?user_ids[]={user}&period[]=monthly"),
        None,
    )
    .await;
    let row = &eff["data"][0];
    assert_ne!(row["source"]["type"], "user");
    let source = &row["spend_limit_id"];
    let inherited = server.truth().orgs[1]
        .spend_limits
        .limits
        .iter()
        .find(|l| l.id == source.as_str().unwrap())
        .unwrap()
        .clone();
    assert_eq!(
        row["source"],
        serde_json::to_value(&inherited.scope).unwrap()
    );
    assert_eq!(row["amount"], json!(inherited.amount));
}

#[tokio::test]
async fn org_kinds_decide_what_can_be_set_and_deleted() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let (console, enterprise) = (key(&server, 0), key(&server, 1));
    let truth = server.truth();
    let member = truth.orgs[1]
        .spend_limits
        .seat_tiers
        .keys()
        .next()
        .unwrap()
        .clone();
    let ws = truth.orgs[0]
        .usage
        .iter()
        .find_map(|r| r.workspace_id.clone())
        .unwrap();
    let post = Method::POST;
    for (body, needle) in [
        (
            json!({"scope": {"type": "organization"}, "amount": "1000"}),
            "user only",
        ),
        (
            json!({"scope": {"type": "seat_tier", "seat_tier": "enterprise_standard"}, "amount": "1"}),
            "user only",
        ),
        (
            json!({"scope": {"type": "workspace", "workspace_id": ws}, "amount": "1"}),
            "user only",
        ),
        (
            json!({"scope": {"type": "user", "user_id": "user_01nobody"}, "amount": "1"}),
            "no member",
        ),
        (
            json!({"scope": {"type": "user", "user_id": member}, "amount": "12.5"}),
            "amount",
        ),
        (
            json!({"scope": {"type": "user", "user_id": member}, "amount": 100}),
            "amount",
        ),
        (
            json!({"scope": {"type": "user", "user_id": member}}),
            "amount: Field required",
        ),
        (
            json!({"scope": {"type": "user", "user_id": member}, "amount": "1", "period": "yearly"}),
            "period",
        ),
        (json!({"scope": {"type": "team"}, "amount": "1"}), "scope"),
        (json!({"amount": "1"}), "scope: Field required"),
    ] {
        rejected(
            &server,
            &enterprise,
            post.clone(),
            "spend_limits",
            body,
            needle,
        )
        .await;
    }
    for (body, needle) in [
        (
            json!({"scope": {"type": "user", "user_id": member}, "amount": "1"}),
            "organization, workspace",
        ),
        (
            json!({"scope": {"type": "organization"}, "amount": "1", "period": "weekly"}),
            "monthly",
        ),
        (
            json!({"scope": {"type": "organization"}, "amount": null}),
            "amount",
        ),
        (
            json!({"scope": {"type": "usage_tier", "usage_tier": "tier_4"}, "amount": "1"}),
            "organization, workspace",
        ),
        (
            json!({"scope": {"type": "workspace", "workspace_id": "wrkspc_01nope"}, "amount": "1"}),
            "no active workspace",
        ),
    ] {
        rejected(
            &server,
            &console,
            post.clone(),
            "spend_limits",
            body,
            needle,
        )
        .await;
    }
    let r = call(&server, &console, post.clone(), "spend_limits", None).await;
    assert_eq!(r.status, 400);
    // Console: organization and workspace limits, monthly with an amount; deletable.
    let set = ok(
        &server,
        &console,
        post.clone(),
        "spend_limits",
        Some(json!({"scope": {"type": "organization"}, "amount": "250000"})),
    )
    .await;
    let seeded_org = truth.orgs[0]
        .spend_limits
        .limits
        .iter()
        .find(|l| l.scope == fake_admin_api::SpendLimitScope::Organization)
        .unwrap();
    assert_eq!(
        set["id"],
        seeded_org.id.as_str(),
        "an upsert of the seeded org limit"
    );
    ok(
        &server,
        &console,
        Method::DELETE,
        &format!("spend_limits/{}", seeded_org.id),
        None,
    )
    .await;
    // Read-only scopes cannot be deleted.
    for (k, org, kind) in [
        (&console, 0, "usage_tier"),
        (&enterprise, 1, "seat_tier"),
        (&enterprise, 1, "rbac_group"),
        (&enterprise, 1, "organization"),
    ] {
        let l = truth.orgs[org]
            .spend_limits
            .limits
            .iter()
            .find(|l| l.scope.type_name() == kind)
            .unwrap();
        let r = call(
            &server,
            k,
            Method::DELETE,
            &format!("spend_limits/{}", l.id),
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{kind}");
        assert!(r.error().1.contains(kind), "{}", r.body);
    }
    // The effective report is Enterprise only.
    let r = call(
        &server,
        &console,
        Method::GET,
        "spend_limits/effective",
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.error().1.contains("Enterprise"));
    let r = call(&server, &console, Method::PUT, "spend_limits", None).await;
    assert_eq!(r.status, 405);
    assert!(r.error().1.contains("GET and POST"));
}
