//! Attribution: whose is an API key's spend, at a given hour.
//!
//! On an Anthropic plan, cost the Analytics API bills to a person (a `user_actor`: the facts
//! name them, see `reports::analytics_facts`) belongs to the subject whose email equals that
//! person's, whatever key they used: the org member's email, or for someone no longer in
//! the org's user list (a former member) the email the Analytics API stored with the actor.
//! Otherwise an explicit mapping `(plan, key) → subject [, project]` covering the hour wins,
//! then the key belongs to the subject whose email equals the email of the org user who
//! created the key. Usage without a key but with an actor (OpenAI's Playground usage names
//! the org user who made it; Anthropic's Console and Claude Code) belongs to the subject whose
//! email equals that user's email; mappings concern keys only. On OpenAI plans the key wins
//! over the user it names. Otherwise the spend is unattributed (a service account's or a
//! federated workload's cost without a key). Attribution is applied when a report is
//! read, so re-mapping a key changes past reports without a re-sync; it resolves per hour
//! (an hour belongs to whoever held the key at the hour's start).
//!
//! What attribution reads (every mapping, subject, project, key creator and member of the
//! plans) is kept between reports in an [`InputsCache`] and read again only when the store's
//! attribution versions moved (a write to any of it, by any process, bumps them in its own
//! transaction), so a report that finds them unchanged pays one small read.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::model::{KeyMapping, MappingFilter, Plan, Project, Provider, Subject, normalise_email};
use crate::store::Store;

/// Everything attribution reads from the store for some plans.
#[derive(Debug)]
pub(crate) struct AttributionInputs {
    mappings: Vec<KeyMapping>,
    subjects: Vec<Subject>,
    /// (plan, key, creator's normalised email).
    creators: Vec<(i64, String, String)>,
    /// (plan, user id, normalised email).
    members: Vec<(i64, String, String)>,
    projects: Vec<Project>,
}

impl AttributionInputs {
    /// Read them, the independent reads at once.
    async fn read(store: &dyn Store, plan_ids: &[i64]) -> Result<AttributionInputs> {
        let every_mapping = MappingFilter::default();
        let (mappings, subjects, creators, members, projects) = futures::try_join!(
            store.list_mappings(&every_mapping),
            store.list_subjects(),
            store.key_creator_emails(plan_ids),
            store.member_emails(plan_ids),
            store.list_projects(None),
        )?;
        Ok(AttributionInputs {
            mappings,
            subjects,
            creators,
            members,
            projects,
        })
    }
}

/// The inputs last read: the attribution versions read before them, the plans, the inputs.
type Cached = (Vec<(i64, i64)>, Vec<i64>, Arc<AttributionInputs>);

/// The attribution inputs a ledger read last, kept while the store's attribution versions
/// stay the same.
#[derive(Debug, Default)]
pub(crate) struct InputsCache {
    last: Mutex<Option<Cached>>,
}

impl InputsCache {
    /// The inputs for `plans`: the ones kept when the versions have not moved since they
    /// were read, else read now. The versions are read before the inputs: a write committed
    /// after that read bumps them, so inputs are never kept under versions newer than their
    /// data (a write in between only causes one read too many).
    pub(crate) async fn get(
        &self,
        store: &dyn Store,
        plans: &[Plan],
    ) -> Result<Arc<AttributionInputs>> {
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let plan_ids = plan_ids.as_slice();
        let lock = || self.last.lock().unwrap_or_else(|e| e.into_inner());
        let versions = store.attribution_versions().await?;
        if let Some((v, plans, inputs)) = lock().as_ref()
            && *v == versions
            && plans == plan_ids
        {
            return Ok(inputs.clone());
        }
        let inputs = Arc::new(AttributionInputs::read(store, plan_ids).await?);
        *lock() = Some((versions, plan_ids.to_vec(), inputs.clone()));
        Ok(inputs)
    }
}

/// Who an hour of a key's spend belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Owner {
    /// The subject.
    pub subject_id: String,
    /// The project (the subject's default when the mapping names none).
    pub project_id: Option<i64>,
}

/// Mappings, key creators and default projects of some plans, loaded once per report.
#[derive(Debug, Default)]
pub(crate) struct Attribution {
    mappings: HashMap<(i64, String), Vec<KeyMapping>>,
    creators: HashMap<(i64, String), String>,
    /// Org members (plan, user id) → the subject with their email.
    members: HashMap<(i64, String), String>,
    default_projects: HashMap<String, i64>,
    /// Plans whose facts name the person who made the requests (Anthropic: the Analytics
    /// API's user actors), who then wins over the key's owner.
    person_first: HashSet<i64>,
    /// Every subject by id (empty when loaded for one subject).
    pub(crate) subjects: HashMap<String, Subject>,
}

impl Attribution {
    /// Attribution for `plans` from what the store holds.
    pub(crate) fn load(inputs: &AttributionInputs, plans: &[Plan]) -> Attribution {
        let wanted: HashSet<i64> = plans.iter().map(|p| p.id).collect();
        let mappings = mappings_by_key(&inputs.mappings, |m| wanted.contains(&m.plan_id));
        let subjects: HashMap<String, Subject> = inputs
            .subjects
            .iter()
            .map(|s| (s.id.clone(), s.clone()))
            .collect();
        let by_email = subjects_by_email(subjects.values());
        let creators = inputs
            .creators
            .iter()
            .filter(|(plan, _, _)| wanted.contains(plan))
            .filter_map(|(plan, key, email)| {
                by_email
                    .get(email)
                    .map(|s| ((*plan, key.clone()), s.clone()))
            })
            .collect();
        let members = members_with_subjects(&inputs.members, &wanted, &by_email);
        let default_projects = default_projects(&inputs.projects);
        Attribution {
            mappings,
            creators,
            members,
            default_projects,
            person_first: person_first(plans),
            subjects,
        }
    }

    /// What attribution needs to tell which hours of which keys are `subject`'s: the
    /// mappings of every key ever mapped to them or created by their email, their default
    /// project (from `projects`, the subject's projects), and the subject of every org member
    /// (a person who used their key on an Anthropic plan owns that cost).
    /// [`Attribution::owner_at`] then answers the subject for their hours and `None` or
    /// another subject for the rest, which may differ from the full load's answer for hours
    /// that are not theirs.
    pub(crate) fn load_for_subject(
        inputs: &AttributionInputs,
        plans: &[Plan],
        subject: &Subject,
        projects: &[Project],
    ) -> Attribution {
        let wanted: HashSet<i64> = plans.iter().map(|p| p.id).collect();
        let email = subject.email.as_deref().map(normalise_email);
        let mut keys: HashSet<(i64, &str)> = inputs
            .mappings
            .iter()
            .filter(|m| m.subject_id == subject.id && wanted.contains(&m.plan_id))
            .map(|m| (m.plan_id, m.api_key_id.as_str()))
            .collect();
        let mut creators = HashMap::new();
        if let Some(email) = &email {
            for (plan, key, creator) in &inputs.creators {
                if creator == email && wanted.contains(plan) {
                    keys.insert((*plan, key.as_str()));
                    creators.insert((*plan, key.clone()), subject.id.clone());
                }
            }
        }
        // Every member with a subject, not only this one's: on an Anthropic plan a person
        // who used the subject's key owns that cost, so their subject must be known.
        let members = members_with_subjects(
            &inputs.members,
            &wanted,
            &subjects_by_email(&inputs.subjects),
        );
        let mappings = mappings_by_key(&inputs.mappings, |m| {
            keys.contains(&(m.plan_id, m.api_key_id.as_str()))
        });
        Attribution {
            mappings,
            creators,
            members,
            default_projects: default_projects(projects),
            person_first: person_first(plans),
            subjects: HashMap::new(),
        }
    }

    /// The owner at Unix second `at` of `plan`'s usage under `key` made by `actor`: on an
    /// Anthropic plan the actor's subject when they have one, then the key's owner when there
    /// is a key, else the actor's subject; `None` when unattributed.
    pub(crate) fn owner_at(
        &self,
        plan: i64,
        key: Option<&str>,
        actor: Option<&str>,
        at: i64,
    ) -> Option<Owner> {
        if self.person_first.contains(&plan)
            && let Some(subject) = actor.and_then(|a| self.members.get(&(plan, a.to_string())))
        {
            return Some(Owner {
                subject_id: subject.clone(),
                project_id: self.default_projects.get(subject).copied(),
            });
        }
        let Some(key) = key else {
            let subject = self.members.get(&(plan, actor?.to_string()))?;
            return Some(Owner {
                subject_id: subject.clone(),
                project_id: self.default_projects.get(subject).copied(),
            });
        };
        let id = (plan, key.to_string());
        if let Some(list) = self.mappings.get(&id)
            && let Some(m) = list.iter().find(|m| {
                m.valid_from.is_none_or(|start| start.timestamp() <= at)
                    && m.valid_to.is_none_or(|end| at < end.timestamp())
            })
        {
            return Some(Owner {
                subject_id: m.subject_id.clone(),
                project_id: m
                    .project_id
                    .or_else(|| self.default_projects.get(&m.subject_id).copied()),
            });
        }
        self.creators.get(&id).map(|subject| Owner {
            subject_id: subject.clone(),
            project_id: self.default_projects.get(subject).copied(),
        })
    }

    /// True when the owner of `plan`'s key may change within `(from, to)`: a mapping starts
    /// or ends inside it.
    pub(crate) fn changes_within(&self, plan: i64, key: Option<&str>, from: i64, to: i64) -> bool {
        !self.changes_in(plan, key, from, to).is_empty()
    }

    /// The instants strictly inside `(from, to)` where a mapping of `plan`'s key starts or
    /// ends.
    pub(crate) fn changes_in(&self, plan: i64, key: Option<&str>, from: i64, to: i64) -> Vec<i64> {
        let Some(list) = key.and_then(|k| self.mappings.get(&(plan, k.to_string()))) else {
            return Vec::new();
        };
        list.iter()
            .flat_map(|m| {
                [
                    m.valid_from.map(|t| t.timestamp()),
                    m.valid_to.map(|t| t.timestamp()),
                ]
            })
            .flatten()
            .filter(|t| from < *t && *t < to)
            .collect()
    }

    /// Every key that is, or was, the subject's (by mapping or as its creator).
    pub(crate) fn keys_of(&self, subject: &str) -> HashSet<(i64, String)> {
        let mapped = self
            .mappings
            .iter()
            .filter(|(_, list)| list.iter().any(|m| m.subject_id == subject))
            .map(|(k, _)| k.clone());
        let created = self
            .creators
            .iter()
            .filter(|(_, s)| *s == subject)
            .map(|(k, _)| k.clone());
        mapped.chain(created).collect()
    }

    /// Every org member (plan, user id) whose keyless usage is the subject's.
    pub(crate) fn actors_of(&self, subject: &str) -> Vec<(i64, String)> {
        self.members
            .iter()
            .filter(|(_, s)| *s == subject)
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// The mappings `keep` accepts, per (plan, key), in the listing's order (by plan, key and
/// start).
fn mappings_by_key(
    mappings: &[KeyMapping],
    keep: impl Fn(&KeyMapping) -> bool,
) -> HashMap<(i64, String), Vec<KeyMapping>> {
    let mut out: HashMap<(i64, String), Vec<KeyMapping>> = HashMap::new();
    for m in mappings.iter().filter(|m| keep(m)) {
        out.entry((m.plan_id, m.api_key_id.clone()))
            .or_default()
            .push(m.clone());
    }
    out
}

/// Subject ids by their normalised email.
fn subjects_by_email<'a>(
    subjects: impl IntoIterator<Item = &'a Subject>,
) -> HashMap<String, String> {
    subjects
        .into_iter()
        .filter_map(|s| Some((normalise_email(s.email.as_deref()?), s.id.clone())))
        .collect()
}

/// Org members (plan, user id) of the `wanted` plans → the subject with their email, for
/// those who have one.
fn members_with_subjects(
    member_emails: &[(i64, String, String)],
    wanted: &HashSet<i64>,
    by_email: &HashMap<String, String>,
) -> HashMap<(i64, String), String> {
    member_emails
        .iter()
        .filter(|(plan, _, _)| wanted.contains(plan))
        .filter_map(|(plan, user, email)| {
            by_email
                .get(email)
                .map(|s| ((*plan, user.clone()), s.clone()))
        })
        .collect()
}

/// Each subject's default project.
fn default_projects(projects: &[Project]) -> HashMap<String, i64> {
    projects
        .iter()
        .filter(|p| p.is_default)
        .map(|p| (p.subject_id.clone(), p.id))
        .collect()
}

/// The plans whose facts name the person first: Anthropic's.
fn person_first(plans: &[Plan]) -> HashSet<i64> {
    plans
        .iter()
        .filter(|p| p.provider == Provider::Anthropic)
        .map(|p| p.id)
        .collect()
}
