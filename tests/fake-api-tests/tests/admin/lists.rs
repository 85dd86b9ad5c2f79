//! api_keys, workspaces, users: objects, filters, cursors in both directions, get by id.

use crate::admin::common::{get, key, start};
use fake_admin_api::FakeServer;
use serde_json::Value;

async fn ids(server: &FakeServer, query: &str) -> (Vec<String>, Value) {
    let r = get(server, &key(server, 0), query).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let v = r.json();
    let ids = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    (ids, v)
}

#[tokio::test]
async fn api_keys_have_every_status_and_default_workspace_keys() {
    let server = start().await;
    let (_, v) = ids(&server, "api_keys?limit=1000").await;
    let keys = v["data"].as_array().unwrap();
    assert!((6..=12).contains(&keys.len()));
    for s in ["active", "inactive", "archived", "expired"] {
        assert!(keys.iter().any(|k| k["status"] == s), "{s}");
        let (filtered, _) = ids(&server, &format!("api_keys?status={s}")).await;
        assert_eq!(
            filtered.len(),
            keys.iter().filter(|k| k["status"] == s).count()
        );
    }
    assert!(keys.iter().any(|k| k["workspace_id"].is_null()));
    for k in keys {
        assert!(k["id"].as_str().unwrap().starts_with("apikey_01"));
        assert_eq!(k["type"], "api_key");
        assert_eq!(k["created_by"]["type"], "user");
        assert!(
            k["partial_key_hint"]
                .as_str()
                .unwrap()
                .starts_with("sk-ant-api03-")
        );
    }
    let ws = keys
        .iter()
        .find_map(|k| k["workspace_id"].as_str())
        .unwrap();
    let (by_ws, v) = ids(&server, &format!("api_keys?workspace_id={ws}")).await;
    assert!(!by_ws.is_empty());
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["workspace_id"] == ws)
    );
    let creator = keys[0]["created_by"]["id"].as_str().unwrap();
    let (by_creator, _) = ids(&server, &format!("api_keys?created_by_user_id={creator}")).await;
    assert!(by_creator.contains(&keys[0]["id"].as_str().unwrap().to_string()));
    let r = get(&server, &key(&server, 0), "api_keys?status=deleted").await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn cursors_walk_forward_and_backward() {
    let server = start().await;
    let (all, _) = ids(&server, "api_keys?limit=1000").await;
    // Forward, two at a time.
    let mut forward = Vec::new();
    let mut query = "api_keys?limit=2".to_string();
    loop {
        let (page, v) = ids(&server, &query).await;
        assert_eq!(v["first_id"].as_str(), page.first().map(String::as_str));
        assert_eq!(v["last_id"].as_str(), page.last().map(String::as_str));
        forward.extend(page);
        if v["has_more"] == false {
            break;
        }
        query = format!(
            "api_keys?limit=2&after_id={}",
            v["last_id"].as_str().unwrap()
        );
    }
    assert_eq!(forward, all);
    // Backward from the last one.
    let mut backward: Vec<String> = Vec::new();
    let mut before = all.last().unwrap().clone();
    loop {
        let (page, v) = ids(&server, &format!("api_keys?limit=2&before_id={before}")).await;
        backward.splice(0..0, page);
        if v["has_more"] == false {
            break;
        }
        before = v["first_id"].as_str().unwrap().to_string();
    }
    assert_eq!(backward, all[..all.len() - 1]);
    // After the last: an empty page with null ids.
    let (page, v) = ids(
        &server,
        &format!("api_keys?after_id={}", all.last().unwrap()),
    )
    .await;
    assert!(page.is_empty());
    assert_eq!(
        (
            v["first_id"].clone(),
            v["last_id"].clone(),
            v["has_more"].clone()
        ),
        (Value::Null, Value::Null, Value::Bool(false))
    );
    // Both cursors, unknown cursor, bad limits.
    for bad in [
        format!("api_keys?after_id={}&before_id={}", all[0], all[1]),
        "api_keys?after_id=apikey_01nope".to_string(),
        "api_keys?limit=0".to_string(),
        "api_keys?limit=1001".to_string(),
    ] {
        let r = get(&server, &key(&server, 0), &bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error().0, "invalid_request_error");
    }
}

#[tokio::test]
async fn default_page_size_is_20() {
    let server = start().await;
    let (u, v) = ids(&server, "users").await;
    assert!(u.len() <= 20);
    assert_eq!(v["has_more"], false);
    let (one, v) = ids(&server, "users?limit=1").await;
    assert_eq!(one.len(), 1);
    assert_eq!(v["has_more"], true);
}

#[tokio::test]
async fn workspaces_hide_the_archived_one_unless_asked() {
    let server = start().await;
    let (live, v) = ids(&server, "workspaces").await;
    assert!(
        v["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| w["archived_at"].is_null())
    );
    let (all, v) = ids(&server, "workspaces?include_archived=true").await;
    assert_eq!(all.len(), live.len() + 1);
    assert!((3..=5).contains(&all.len()));
    assert_eq!(
        ids(&server, "workspaces?include_archived=false").await.0,
        live
    );
    for w in v["data"].as_array().unwrap() {
        assert!(w["id"].as_str().unwrap().starts_with("wrkspc_01"));
        assert_eq!(w["type"], "workspace");
        assert!(w["display_color"].as_str().unwrap().starts_with('#'));
        assert!(w["data_residency"]["default_inference_geo"].is_string());
    }
    assert_eq!(
        get(
            &server,
            &key(&server, 0),
            "workspaces?include_archived=maybe"
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn users_have_roles_and_org_emails() {
    let server = start().await;
    let (_, v) = ids(&server, "users?limit=100").await;
    let users = v["data"].as_array().unwrap();
    assert!((4..=8).contains(&users.len()));
    for role in ["admin", "developer", "user", "claude_code_user"] {
        assert!(users.iter().any(|u| u["role"] == role), "{role}");
    }
    let email = users[0]["email"].as_str().unwrap();
    assert!(email.ends_with(".example") && email.contains('.') && email.contains('@'));
    let (found, _) = ids(&server, &format!("users?email={}", email.to_uppercase())).await;
    assert_eq!(found, vec![users[0]["id"].as_str().unwrap().to_string()]);
    assert!(
        ids(&server, "users?email=nobody@nowhere.example")
            .await
            .0
            .is_empty()
    );
}

#[tokio::test]
async fn objects_by_id_and_404s() {
    let server = start().await;
    for (list, item) in [
        ("api_keys?limit=100", "api_keys"),
        ("workspaces?include_archived=true", "workspaces"),
        ("users", "users"),
    ] {
        let (all, v) = ids(&server, list).await;
        for (i, id) in all.iter().enumerate() {
            let r = get(&server, &key(&server, 0), &format!("{item}/{id}")).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.json(), v["data"][i]);
        }
        let r = get(
            &server,
            &key(&server, 0),
            &format!("{item}/{}_01nope", &item[..4]),
        )
        .await;
        assert_eq!(r.status, 404);
        assert_eq!(r.error().0, "not_found_error");
        // Another org's object is not found either.
        let r = get(&server, &key(&server, 1), &format!("{item}/{}", all[0])).await;
        assert_eq!(r.status, 404);
    }
}
