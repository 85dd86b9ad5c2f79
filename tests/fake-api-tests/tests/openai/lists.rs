//! Projects, users, project API keys, service accounts and admin keys: filters, cursors,
//! retrieval, and how they relate to the ids in the usage data.

use std::collections::BTreeSet;

use crate::openai::common::{DAY, NOW, all_pages, get, key, rows, start};
use fake_openai_api::{FakeServer, KeyKind};
use serde_json::Value;

async fn list(server: &FakeServer, query: &str) -> Value {
    let r = get(server, &key(server, 0), query).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    r.json()
}

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn projects_hide_the_archived_one_unless_asked() {
    let server = start().await;
    let live = list(&server, "projects").await;
    let all = list(&server, "projects?include_archived=true").await;
    assert_eq!(ids(&all).len(), ids(&live).len() + 1);
    let archived: Vec<&Value> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "archived")
        .collect();
    assert_eq!(archived.len(), 1);
    assert!(archived[0]["archived_at"].as_i64().unwrap() < NOW);
    assert!(
        live["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "active" && p["archived_at"].is_null())
    );
    assert!(
        ids(&all)
            .iter()
            .all(|id| id.starts_with("proj_") && id.len() == 29)
    );
    assert_eq!(
        get(&server, &key(&server, 0), "projects?include_archived=maybe")
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn after_cursors_walk_every_list() {
    let server = start().await;
    for path in ["projects?include_archived=true", "users", "admin_api_keys"] {
        let all = ids(&list(&server, path).await);
        assert!(all.len() >= 2, "{path}");
        let mut walked = Vec::new();
        let mut query = format!(
            "{path}{}limit=1",
            if path.contains('?') { "&" } else { "?" }
        );
        loop {
            let page = list(&server, &query).await;
            let got = ids(&page);
            assert_eq!(page["first_id"].as_str(), got.first().map(String::as_str));
            assert_eq!(page["last_id"].as_str(), got.last().map(String::as_str));
            walked.extend(got.clone());
            if page["has_more"] == false {
                break;
            }
            query = format!(
                "{path}{}limit=1&after={}",
                if path.contains('?') { "&" } else { "?" },
                got[0]
            );
        }
        assert_eq!(walked, all, "{path}");
    }
    let r = get(&server, &key(&server, 0), "users?after=user-nope").await;
    assert_eq!(
        (r.status, r.json()["error"]["param"].as_str()),
        (400, Some("after"))
    );
    for bad in ["users?limit=0", "users?limit=101", "projects?limit=x"] {
        assert_eq!(
            get(&server, &key(&server, 0), bad).await.status,
            400,
            "{bad}"
        );
    }
    let desc = ids(&list(&server, "admin_api_keys?order=desc").await);
    let mut asc = ids(&list(&server, "admin_api_keys").await);
    asc.reverse();
    assert_eq!(desc, asc);
}

#[tokio::test]
async fn users_filter_by_email_and_resolve_by_id() {
    let server = start().await;
    let users = list(&server, "users").await;
    let first = &users["data"][0];
    let email = first["email"].as_str().unwrap().to_uppercase();
    let found = list(&server, &format!("users?emails={email}")).await;
    assert_eq!(ids(&found), vec![first["id"].as_str().unwrap().to_string()]);
    let id = first["id"].as_str().unwrap();
    assert_eq!(list(&server, &format!("users/{id}")).await, *first);
    assert!(
        users["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["role"] == "owner" || u["role"] == "reader")
    );
    assert_eq!(
        get(&server, &key(&server, 0), "users/user-nope")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn project_api_keys_filter_by_owner_access_and_hide_deleted_keys() {
    let server = start().await;
    let projects = ids(&list(&server, "projects?include_archived=true").await);
    let (mut active, mut inactive, mut listed) = (0, 0, BTreeSet::new());
    let mut owners = BTreeSet::new();
    for p in &projects {
        let default = ids(&list(&server, &format!("projects/{p}/api_keys")).await);
        let any = list(
            &server,
            &format!("projects/{p}/api_keys?owner_project_access=any"),
        )
        .await;
        let only_inactive = ids(&list(
            &server,
            &format!("projects/{p}/api_keys?owner_project_access=inactive"),
        )
        .await);
        assert_eq!(default.len() + only_inactive.len(), ids(&any).len(), "{p}");
        active += default.len();
        inactive += only_inactive.len();
        for k in any["data"].as_array().unwrap() {
            owners.insert(k["owner"]["type"].as_str().unwrap().to_string());
            let id = k["id"].as_str().unwrap();
            assert_eq!(
                list(&server, &format!("projects/{p}/api_keys/{id}")).await,
                *k
            );
            listed.insert(id.to_string());
        }
        list(&server, &format!("projects/{p}/service_accounts")).await;
    }
    assert!(active > 0 && inactive == 1, "{active} {inactive}");
    assert_eq!(
        owners,
        BTreeSet::from(["service_account".to_string(), "user".to_string()])
    );
    // A deleted key still appears in usage, but in no list: keep usage ids unresolved.
    let q = format!("start_time={}&limit=31&group_by=api_key_id", NOW - 90 * DAY);
    let mut in_usage = BTreeSet::new();
    for page in all_pages(&server, &key(&server, 0), "usage/completions", &q).await {
        for r in rows(&[page]) {
            if let Some(id) = r["api_key_id"].as_str() {
                in_usage.insert(id.to_string());
            }
        }
    }
    let unlisted: Vec<&String> = in_usage.difference(&listed).collect();
    assert_eq!(unlisted.len(), 1, "exactly the deleted key: {unlisted:?}");
    assert_eq!(
        get(&server, &key(&server, 0), "projects/proj_nope/api_keys")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn admin_keys_list_the_orgs_keys_without_secrets_and_drop_revoked_ones() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    let before = list(&server, "admin_api_keys").await;
    assert_eq!(ids(&before).len(), 2);
    assert!(
        !before.to_string().contains(&org.admin_key[9..]),
        "no secret in the list"
    );
    let extra = server.add_admin_key(&org.id, KeyKind::UsageOnly);
    assert_eq!(ids(&list(&server, "admin_api_keys").await).len(), 3);
    server.revoke_key(&extra);
    let after = list(&server, "admin_api_keys").await;
    assert_eq!(ids(&after), ids(&before));
    let id = &ids(&before)[0];
    assert_eq!(
        list(&server, &format!("admin_api_keys/{id}")).await,
        before["data"][0]
    );
}
