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

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::model::{KeyMapping, MappingFilter, Plan, Project, Provider, Subject, normalise_email};
use crate::store::Store;

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
    /// Load what attribution needs for `plans`.
    pub(crate) async fn load(store: &dyn Store, plans: &[Plan]) -> Result<Attribution> {
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let plan_ids = plan_ids.as_slice();
        let wanted: HashSet<i64> = plan_ids.iter().copied().collect();
        let every_mapping = MappingFilter::default();
        // Independent reads, at once.
        let (all_mappings, all_subjects, key_creators, member_emails, projects) = futures::try_join!(
            store.list_mappings(&every_mapping),
            store.list_subjects(),
            store.key_creator_emails(plan_ids),
            store.member_emails(plan_ids),
            store.list_projects(None),
        )?;
        let mut mappings: HashMap<(i64, String), Vec<KeyMapping>> = HashMap::new();
        for m in all_mappings {
            if wanted.contains(&m.plan_id) {
                mappings
                    .entry((m.plan_id, m.api_key_id.clone()))
                    .or_default()
                    .push(m);
            }
        }
        let subjects: HashMap<String, Subject> = all_subjects
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let by_email = subjects_by_email(subjects.values());
        let creators = key_creators
            .into_iter()
            .filter_map(|(plan, key, email)| by_email.get(&email).map(|s| ((plan, key), s.clone())))
            .collect();
        let members = members_with_subjects(member_emails, &by_email);
        let default_projects = default_projects(projects);
        Ok(Attribution {
            mappings,
            creators,
            members,
            default_projects,
            person_first: person_first(plans),
            subjects,
        })
    }

    /// What attribution needs to tell which hours of which keys are `subject`'s: the
    /// mappings of every key ever mapped to them or created by their email, their default
    /// project (from `projects`, the subject's projects), and the subject of every org member
    /// (a person who used their key on an Anthropic plan owns that cost). Every mapping of
    /// the plans is read in one query and the subject's kept. [`Attribution::owner_at`] then
    /// answers the subject for their hours and `None` or another subject for the rest, which
    /// may differ from the full load's answer for hours that are not theirs.
    pub(crate) async fn load_for_subject(
        store: &dyn Store,
        plans: &[Plan],
        subject: &Subject,
        projects: &[Project],
    ) -> Result<Attribution> {
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let plan_ids = plan_ids.as_slice();
        let wanted: HashSet<i64> = plan_ids.iter().copied().collect();
        let email = subject.email.as_deref().map(normalise_email);
        // Independent reads, at once: every mapping (one query rather than one per key of the
        // subject), the key creators when the subject has an email, every subject, the
        // members.
        let creators_of = async {
            match email {
                Some(_) => store.key_creator_emails(plan_ids).await,
                None => Ok(Vec::new()),
            }
        };
        let every_mapping = MappingFilter::default();
        let (all_mappings, key_creators, subjects, member_emails) = futures::try_join!(
            store.list_mappings(&every_mapping),
            creators_of,
            store.list_subjects(),
            store.member_emails(plan_ids),
        )?;
        let mut keys: HashSet<(i64, String)> = all_mappings
            .iter()
            .filter(|m| m.subject_id == subject.id && wanted.contains(&m.plan_id))
            .map(|m| (m.plan_id, m.api_key_id.clone()))
            .collect();
        let mut creators = HashMap::new();
        if let Some(email) = &email {
            for (plan, key, creator) in key_creators {
                if &creator == email {
                    keys.insert((plan, key.clone()));
                    creators.insert((plan, key), subject.id.clone());
                }
            }
        }
        // Every member with a subject, not only this one's: on an Anthropic plan a person
        // who used the subject's key owns that cost, so their subject must be known.
        let members = members_with_subjects(member_emails, &subjects_by_email(&subjects));
        // Each key's mappings, in the listing's order (by plan, key and start).
        let mut mappings: HashMap<(i64, String), Vec<KeyMapping>> = HashMap::new();
        for m in all_mappings {
            let key = (m.plan_id, m.api_key_id.clone());
            if keys.contains(&key) {
                mappings.entry(key).or_default().push(m);
            }
        }
        let default_projects = default_projects(projects.iter().cloned());
        Ok(Attribution {
            mappings,
            creators,
            members,
            default_projects,
            person_first: person_first(plans),
            subjects: HashMap::new(),
        })
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

/// The Anthropic plans among `plan_ids`: their facts name the person who made the requests.
/// Subject ids by their normalised email.
fn subjects_by_email<'a>(
    subjects: impl IntoIterator<Item = &'a Subject>,
) -> HashMap<String, String> {
    subjects
        .into_iter()
        .filter_map(|s| Some((normalise_email(s.email.as_deref()?), s.id.clone())))
        .collect()
}

/// Org members (plan, user id) → the subject with their email, for those who have one.
fn members_with_subjects(
    member_emails: Vec<(i64, String, String)>,
    by_email: &HashMap<String, String>,
) -> HashMap<(i64, String), String> {
    member_emails
        .into_iter()
        .filter_map(|(plan, user, email)| by_email.get(&email).map(|s| ((plan, user), s.clone())))
        .collect()
}

/// Each subject's default project.
fn default_projects(projects: impl IntoIterator<Item = Project>) -> HashMap<String, i64> {
    projects
        .into_iter()
        .filter(|p| p.is_default)
        .map(|p| (p.subject_id, p.id))
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
