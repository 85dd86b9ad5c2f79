//! `/me` and the objects of the lists: workspaces, API keys, users.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::null_as_default;
use crate::model::{ApiKeyInfo, OrgInfo, OrgUser, Workspace};

/// `GET /v1/organizations/me`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireOrg {
    pub id: String,
    pub name: String,
}

impl From<WireOrg> for OrgInfo {
    fn from(o: WireOrg) -> OrgInfo {
        OrgInfo {
            id: o.id,
            name: o.name,
        }
    }
}

/// A workspace of the list.
#[derive(Debug, Deserialize)]
pub(crate) struct WireWorkspace {
    pub id: String,
    pub name: String,
    pub display_color: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<WireWorkspace> for Workspace {
    fn from(w: WireWorkspace) -> Workspace {
        Workspace {
            id: w.id,
            name: w.name,
            display_color: w.display_color,
            created_at: w.created_at,
            archived_at: w.archived_at,
        }
    }
}

/// An API key of the list.
#[derive(Debug, Deserialize)]
pub(crate) struct WireApiKey {
    pub id: String,
    pub name: String,
    pub workspace_id: Option<String>,
    pub status: String,
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub created_by: CreatedBy,
    pub partial_key_hint: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `created_by` of an API key.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CreatedBy {
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl From<WireApiKey> for ApiKeyInfo {
    fn from(k: WireApiKey) -> ApiKeyInfo {
        ApiKeyInfo {
            id: k.id,
            name: k.name,
            workspace_id: k.workspace_id,
            status: k.status,
            created_at: k.created_at,
            created_by_id: k.created_by.id,
            created_by_type: k.created_by.kind,
            partial_key_hint: k.partial_key_hint,
            expires_at: k.expires_at,
        }
    }
}

/// A member of the organisation.
#[derive(Debug, Deserialize)]
pub(crate) struct WireUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub added_at: Option<DateTime<Utc>>,
}

impl From<WireUser> for OrgUser {
    fn from(u: WireUser) -> OrgUser {
        OrgUser {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            added_at: u.added_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::anthropic::wire::ListPage;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn api_key_example_of_section_5_1() {
        let body = r#"{
      "data": [{
          "id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
          "type": "api_key",
          "name": "Developer Key",
          "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
          "created_at": "2024-10-30T23:58:27.427722Z",
          "created_by": {"id": "user_01WCz1FkmYMm4gnmykNKUu3Q", "type": "user"},
          "partial_key_hint": "sk-ant-api03-R2D...igAA",
          "status": "active",
          "expires_at": null
      }],
      "first_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
      "last_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
      "has_more": false
    }"#;
        let page: ListPage<WireApiKey> = serde_json::from_str(body).unwrap();
        assert!(!page.has_more);
        assert_eq!(
            page.last_id.as_deref(),
            Some("apikey_01Rj2N8SVvo6BePZj99NhmiT")
        );
        let key: ApiKeyInfo = page.data.into_iter().next().unwrap().into();
        assert_eq!(
            key,
            ApiKeyInfo {
                id: "apikey_01Rj2N8SVvo6BePZj99NhmiT".into(),
                name: "Developer Key".into(),
                workspace_id: Some("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ".into()),
                status: "active".into(),
                created_at: Some(t("2024-10-30T23:58:27.427722Z")),
                created_by_id: Some("user_01WCz1FkmYMm4gnmykNKUu3Q".into()),
                created_by_type: Some("user".into()),
                partial_key_hint: Some("sk-ant-api03-R2D...igAA".into()),
                expires_at: None,
            }
        );
        // The 2025 form had no expires_at; an empty page has null cursors.
        let old = r#"{"data":[],"first_id":null,"last_id":null,"has_more":false}"#;
        assert!(
            serde_json::from_str::<ListPage<WireApiKey>>(old)
                .unwrap()
                .data
                .is_empty()
        );
    }

    #[test]
    fn me_workspace_and_user_of_section_6() {
        let me: OrgInfo = serde_json::from_str::<WireOrg>(
        r#"{"id":"12345678-1234-5678-1234-567812345678","type":"organization","name":"Organization Name"}"#,
    )
    .unwrap()
    .into();
        assert_eq!(
            me,
            OrgInfo {
                id: "12345678-1234-5678-1234-567812345678".into(),
                name: "Organization Name".into()
            }
        );
        let ws: Workspace = serde_json::from_str::<WireWorkspace>(
            r##"{"id":"wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ","type":"workspace","name":"Workspace Name",
        "display_color":"#6C5BB9","created_at":"2024-10-30T23:58:27.427722Z",
        "archived_at":"2024-11-01T23:59:27.427722Z","data_residency":{"allowed_inference_geos":
        "unrestricted","default_inference_geo":"global","workspace_geo":"us"},"tags":[]}"##,
        )
        .unwrap()
        .into();
        assert_eq!(
            ws,
            Workspace {
                id: "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ".into(),
                name: "Workspace Name".into(),
                display_color: Some("#6C5BB9".into()),
                created_at: Some(t("2024-10-30T23:58:27.427722Z")),
                archived_at: Some(t("2024-11-01T23:59:27.427722Z")),
            }
        );
        let user: OrgUser = serde_json::from_str::<WireUser>(
            r#"{"id":"user_01WCz1FkmYMm4gnmykNKUu3Q","type":"user","email":"user@emaildomain.com",
        "name":"Jane Doe","role":"user","added_at":"2024-10-30T23:58:27.427722Z"}"#,
        )
        .unwrap()
        .into();
        assert_eq!(
            user,
            OrgUser {
                id: "user_01WCz1FkmYMm4gnmykNKUu3Q".into(),
                email: "user@emaildomain.com".into(),
                name: "Jane Doe".into(),
                role: "user".into(),
                added_at: Some(t("2024-10-30T23:58:27.427722Z")),
            }
        );
    }
}
