//! The Spend Limits list (beta header, filters, order per org kind), the scopes of
//! Enterprise keys, and the effective report's pages and filters.

use crate::admin::common::{SPEND_READS_BETA, key, request, start_kinds};
use crate::admin::spend_limits::{call, list_all, ok};
use fake_admin_api::OrgKinds;
use reqwest::Method;
use serde_json::{Value, json};

#[tokio::test]
async fn list_needs_its_beta_filters_and_orders_by_org_kind() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let (console, enterprise) = (key(&server, 0), key(&server, 1));
    let headers = [
        ("x-api-key", console.as_str()),
        ("anthropic-version", "2023-06-01"),
    ];
    let r = request(&server, Method::GET, "spend_limits", &headers, None).await;
    assert_eq!(r.status, 400);
    assert!(r.error().1.contains(SPEND_READS_BETA));
    // Console: newest first.
    let before = list_all(&server, &console, "").await;
    assert_eq!(
        before
            .iter()
            .map(|l| l["scope"]["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["workspace", "organization", "usage_tier"]
    );
    // A live workspace without a limit yet (the seeded one has one).
    let seeded = before[0]["scope"]["workspace_id"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = crate::admin::common::get(&server, &console, "workspaces")
        .await
        .json();
    let ws = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_str().unwrap())
        .find(|w| *w != seeded)
        .unwrap()
        .to_string();
    let new = ok(
        &server,
        &console,
        Method::POST,
        "spend_limits",
        Some(json!({"scope": {"type": "workspace", "workspace_id": ws}, "amount": "100"})),
    )
    .await;
    let after = list_all(&server, &console, "limit=1").await;
    assert_eq!(after[0], new);
    assert_eq!(after[1..], before[..]);
    let only = list_all(&server, &console, &format!("workspace_id={ws}")).await;
    assert_eq!(only, [new]);
    assert_eq!(
        list_all(&server, &console, "scope_type[]=usage_tier")
            .await
            .len(),
        1
    );
    for bad in [
        "scope_type[]=user",
        "scope_type[]=galaxy",
        "limit=0",
        "limit=1001",
    ] {
        let r = call(
            &server,
            &console,
            Method::GET,
            &format!("spend_limits?{bad}"),
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    // Enterprise: grouped by scope type in a fixed order.
    let all = list_all(&server, &enterprise, "limit=2").await;
    let types: Vec<&str> = all
        .iter()
        .map(|l| l["scope"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "organization",
            "seat_tier",
            "seat_tier",
            "seat_tier",
            "rbac_group",
            "rbac_group",
            "organization_service",
            "user",
            "user"
        ]
    );
    for bad in [
        "scope_type[]=workspace",
        "scope_type[]=usage_tier",
        "workspace_id=wrkspc_01x",
    ] {
        let r = call(
            &server,
            &enterprise,
            Method::GET,
            &format!("spend_limits?{bad}"),
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
    }
    let page = ok(
        &server,
        &enterprise,
        Method::GET,
        "spend_limits?limit=2",
        None,
    )
    .await;
    let token = page["next_page"].as_str().unwrap();
    let r = call(
        &server,
        &enterprise,
        Method::GET,
        &format!("spend_limits?limit=3&page={token}"),
        None,
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error().1,
        "page: cursor does not match current query parameters"
    );
}

#[tokio::test]
async fn enterprise_keys_need_read_and_write_scopes() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let keys = server.scoped_keys();
    let (writer, reader) = (keys[0].key.clone(), keys[1].key.clone());
    let member = server.truth().orgs[1]
        .spend_limits
        .seat_tiers
        .keys()
        .next()
        .unwrap()
        .clone();
    let body = json!({"scope": {"type": "user", "user_id": member}, "amount": "5"});
    let r = call(
        &server,
        &reader,
        Method::POST,
        "spend_limits",
        Some(body.clone()),
    )
    .await;
    assert_eq!((r.status, r.error().0.as_str()), (403, "permission_error"));
    assert!(r.error().1.contains("write:spend_limits"));
    let set = ok(&server, &writer, Method::POST, "spend_limits", Some(body)).await;
    let id = set["id"].as_str().unwrap();
    for path in [
        "spend_limits".to_string(),
        format!("spend_limits/{id}"),
        "spend_limits/effective".into(),
    ] {
        ok(&server, &reader, Method::GET, &path, None).await;
    }
    assert_eq!(
        call(
            &server,
            &reader,
            Method::DELETE,
            &format!("spend_limits/{id}"),
            None
        )
        .await
        .status,
        403
    );
    let analytics_only = server
        .add_scoped_key(&keys[0].org_id, &["read:analytics"])
        .unwrap();
    assert_eq!(
        call(
            &server,
            &analytics_only,
            Method::GET,
            "spend_limits/effective",
            None
        )
        .await
        .status,
        403
    );
}

#[tokio::test]
async fn effective_pages_by_member_and_filters() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let k = key(&server, 1);
    let all = ok(
        &server,
        &k,
        Method::GET,
        "spend_limits/effective?limit=1000",
        None,
    )
    .await;
    let rows = all["data"].as_array().unwrap().clone();
    assert!(all["next_page"].is_null());
    assert_eq!(
        rows.len(),
        server.truth().orgs[1].spend_limits.effective.len()
    );
    let members: Vec<&str> = rows
        .iter()
        .map(|r| r["actor"]["user_id"].as_str().unwrap())
        .collect();
    let mut distinct = members.clone();
    distinct.dedup();
    assert!(distinct.len() >= 4, "{distinct:?}");
    // One member per page: a member's rows never split.
    let mut paged = Vec::new();
    let mut url = "spend_limits/effective?limit=1".to_string();
    loop {
        let page = ok(&server, &k, Method::GET, &url, None).await;
        let data = page["data"].as_array().unwrap();
        let ids: std::collections::BTreeSet<&str> = data
            .iter()
            .map(|r| r["actor"]["user_id"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 1);
        paged.extend(data.iter().cloned());
        match page["next_page"].as_str() {
            Some(t) => url = format!("spend_limits/effective?limit=1&page={t}"),
            None => break,
        }
    }
    assert_eq!(paged, rows);
    let monthly = ok(
        &server,
        &k,
        Method::GET,
        "spend_limits/effective?period[]=monthly",
        None,
    )
    .await;
    assert!(
        monthly["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["period"] == "monthly")
    );
    let one = ok(
        &server,
        &k,
        Method::GET,
        &format!("spend_limits/effective?user_ids[]={}", distinct[1]),
        None,
    )
    .await;
    let expected: Vec<&Value> = rows
        .iter()
        .filter(|r| r["actor"]["user_id"] == distinct[1])
        .collect();
    assert_eq!(
        one["data"].as_array().unwrap().iter().collect::<Vec<_>>(),
        expected
    );
    for (bad, needle) in [("period[]=yearly", "period[]"), ("limit=0", "limit")] {
        let r = call(
            &server,
            &k,
            Method::GET,
            &format!("spend_limits/effective?{bad}"),
            None,
        )
        .await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.error().1.contains(needle));
    }
    let many: String = (0..101).map(|i| format!("&user_ids[]=user_{i}")).collect();
    let r = call(
        &server,
        &k,
        Method::GET,
        &format!("spend_limits/effective?limit=5{many}"),
        None,
    )
    .await;
    assert_eq!(r.status, 400);
}
