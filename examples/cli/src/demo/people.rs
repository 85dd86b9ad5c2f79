//! The demo's users: the members of each organisation who created keys, a service account
//! with a project, and a key that changed hands. Spend is attributed when reports are read,
//! so all of this can happen after the sync and needs no re-sync.

use chrono::{DateTime, Days, Utc};
use costledger::{
    ApiKeyInfo, KeyMapping, Ledger, MappingFilter, NewKeyMapping, NewSubject, OrgMetadata, OrgUser,
    Plan,
};

use crate::failure::CliResult;
use crate::render;

/// The service account's subject id and project.
const SERVICE: &str = "support-bot";
const SERVICE_PROJECT: &str = "Ticket triage";

/// A member of an organisation who becomes a subject.
struct Person<'a> {
    plan: &'a Plan,
    user: &'a OrgUser,
    keys: Vec<&'a ApiKeyInfo>,
    id: String,
}

/// Every member who created keys (their keys are theirs by email), with a subject id: the
/// email's local part, followed by the organisation's domain when two have namesakes.
fn people<'a>(orgs: &'a [(Plan, OrgMetadata)]) -> Vec<Person<'a>> {
    let mut out: Vec<Person<'a>> = Vec::new();
    for (plan, metadata) in orgs {
        for user in &metadata.users {
            let keys: Vec<&ApiKeyInfo> = metadata
                .api_keys
                .iter()
                .filter(|k| k.created_by_id.as_deref() == Some(user.id.as_str()))
                .collect();
            if keys.is_empty() {
                continue;
            }
            let (local, domain) = user.email.split_once('@').unwrap_or((&user.email, ""));
            let id = if out.iter().any(|p| p.id == local) {
                let org = domain.split('.').next().unwrap_or(domain);
                format!("{local}.{org}")
            } else {
                local.to_string()
            };
            out.push(Person {
                plan,
                user,
                keys,
                id,
            });
        }
    }
    out
}

/// Map a key unless it already has a mapping (a re-run keeps the first run's).
async fn map_once(ledger: &Ledger, mapping: NewKeyMapping) -> CliResult<KeyMapping> {
    let existing = ledger
        .list_mappings(MappingFilter {
            plan_id: Some(mapping.plan_id),
            api_key_id: Some(mapping.api_key_id.clone()),
            ..MappingFilter::default()
        })
        .await?;
    match existing.into_iter().next() {
        Some(m) => Ok(m),
        None => Ok(ledger.map_key(mapping).await?),
    }
}

/// Create the subjects and mappings, and say what each one does.
pub async fn ensure(ledger: &Ledger, plans: &[Plan], now: DateTime<Utc>) -> CliResult {
    let mut orgs = Vec::new();
    for plan in plans {
        orgs.push((plan.clone(), ledger.store().metadata(plan.id).await?));
    }
    let people = people(&orgs);
    for p in &people {
        ledger
            .upsert_subject(
                NewSubject::new(&p.id)
                    .email(&p.user.email)
                    .name(&p.user.name),
            )
            .await?;
        let n = p.keys.len();
        println!(
            "  {} {:<24} {:<36} {n} key{} of {}, by their email",
            render::tick(),
            p.id,
            p.user.email,
            if n == 1 { "" } else { "s" },
            p.plan.label
        );
    }

    // A service account has no email: its key is mapped explicitly, to a project.
    if let Some((plan, metadata)) = orgs.get(1).or(orgs.first()) {
        let key = metadata
            .api_keys
            .iter()
            .find(|k| k.workspace_id.is_none() && k.status == "active")
            .or(metadata.api_keys.first());
        if let Some(key) = key {
            ledger
                .upsert_subject(NewSubject::new(SERVICE).name("Support bot, a service account"))
                .await?;
            let projects = ledger.list_projects(Some(SERVICE)).await?;
            let project = match projects.into_iter().find(|p| p.name == SERVICE_PROJECT) {
                Some(p) => p,
                None => ledger.create_project(SERVICE, SERVICE_PROJECT).await?,
            };
            map_once(
                ledger,
                NewKeyMapping::new(plan.id, &key.id, SERVICE).project(project.id),
            )
            .await?;
            println!(
                "  {} {:<24} key {:?} of {} mapped to its project {:?}",
                render::tick(),
                SERVICE,
                key.name,
                plan.label,
                SERVICE_PROJECT
            );
        }
    }

    // A key that changed hands ten days ago: before then it stays its creator's.
    if let [from, to, ..] = &people[..] {
        let key = from.keys.iter().find(|k| k.status == "active");
        if let (Some(key), true) = (key, from.plan.id == to.plan.id) {
            let at = (now.date_naive() - Days::new(10))
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc();
            map_once(
                ledger,
                NewKeyMapping::new(from.plan.id, &key.id, &to.id).from(at),
            )
            .await?;
            println!(
                "  {} {:<24} key {:?} of {} passed from {} to {} on {}",
                render::tick(),
                "handover",
                key.name,
                from.plan.label,
                from.id,
                to.id,
                at.date_naive()
            );
        }
    }
    Ok(())
}
