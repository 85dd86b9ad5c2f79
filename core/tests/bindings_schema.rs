//! The JSON Schema of what the Python and Node packages receive from the core
//! (`bindings/schema.json`): every value a binding decodes, with the core's docs. The bindings'
//! types are generated from it (`scripts/gen-bindings.py`), so a change to a returned type shows
//! here first. `COSTLEDGER_UPDATE_SCHEMA=1` rewrites the file instead of failing.

use std::path::Path;

use costledger::reports::{DayCost, ModelCost, PlanCost, ProjectCost, SeatShare};
use costledger::{
    BilledCostLine, Dashboard, Forecast, KeyMapping, OrgMetadata, Project, ProviderInfo,
    ReconcileLine, Subject, SyncEvent, UnitUsageLine, UserCosts, VerifyReport,
};
use schemars::{JsonSchema, SchemaGenerator};

/// The values the bindings decode: each named type and everything it refers to.
fn schema() -> serde_json::Value {
    let mut generator = SchemaGenerator::default();
    fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
        generator.subschema_for::<T>();
    }
    add::<UserCosts>(&mut generator);
    add::<PlanCost>(&mut generator);
    add::<ModelCost>(&mut generator);
    add::<ProjectCost>(&mut generator);
    add::<SeatShare>(&mut generator);
    add::<DayCost>(&mut generator);
    add::<Dashboard>(&mut generator);
    add::<Forecast>(&mut generator);
    add::<BilledCostLine>(&mut generator);
    add::<ReconcileLine>(&mut generator);
    add::<UnitUsageLine>(&mut generator);
    add::<VerifyReport>(&mut generator);
    add::<ProviderInfo>(&mut generator);
    add::<OrgMetadata>(&mut generator);
    add::<SyncEvent>(&mut generator);
    add::<costledger::SyncReport>(&mut generator);
    add::<costledger::Plan>(&mut generator);
    add::<costledger::OrgInfo>(&mut generator);
    add::<costledger::Disconnected>(&mut generator);
    add::<costledger::Budget>(&mut generator);
    add::<costledger::BudgetStatus>(&mut generator);
    add::<Subject>(&mut generator);
    add::<Project>(&mut generator);
    add::<KeyMapping>(&mut generator);
    add::<costledger::source::claude_code_logs::LogPeriodUsage>(&mut generator);
    add::<costledger::source::claude_code_logs::LogSessionUsage>(&mut generator);
    add::<costledger::source::claude_code_logs::LogBlockUsage>(&mut generator);
    let definitions = generator.take_definitions(true);
    serde_json::json!({
        "$comment": "Written by core/tests/bindings_schema.rs from the core's types; \
                     scripts/gen-bindings.py writes the bindings' types from it.",
        "$defs": definitions,
    })
}

#[test]
fn the_committed_schema_is_the_cores() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bindings/schema.json");
    let text = serde_json::to_string_pretty(&schema()).unwrap() + "\n";
    if std::env::var_os("COSTLEDGER_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "bindings/schema.json differs from the core's types: run \
         COSTLEDGER_UPDATE_SCHEMA=1 cargo test -p costledger --test integration bindings_schema, \
         then python3 scripts/gen-bindings.py, and commit both"
    );
}
