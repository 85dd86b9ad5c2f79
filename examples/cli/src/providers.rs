//! `costledger providers`: the catalog of supported providers and what each can do. Needs no
//! database: the catalog is part of the library.

use costledger::ProviderInfo;

use crate::failure::CliResult;
use crate::output;
use crate::render::table;

pub fn run(json: bool) -> CliResult {
    let providers = costledger::provider_catalog();
    if json {
        return output::json(&providers);
    }
    print_table(&providers);
    Ok(())
}

fn yes(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn print_table(providers: &[ProviderInfo]) {
    let mut t = table(
        &[
            "Provider",
            "Name",
            "Credentials",
            "Streams",
            "Billed cost",
            "Per-key bill",
            "Per-user",
            "Cost lag",
            "Docs",
        ],
        &[],
    );
    for p in providers {
        let credentials = if p.credential_kinds.is_empty() {
            "none".to_string()
        } else {
            p.credential_kinds.join(", ")
        };
        let streams: Vec<&str> = p.streams.iter().map(|s| s.as_str()).collect();
        t.add_row(vec![
            p.provider.to_string(),
            p.name.clone(),
            credentials,
            streams.join(", "),
            yes(p.billed_cost),
            yes(p.per_key_billed_cost),
            yes(p.per_user_attribution),
            p.cost_report_lag_hours
                .map(|h| format!("{h} h"))
                .unwrap_or_else(|| "-".into()),
            p.docs_url.clone(),
        ]);
    }
    println!("{t}");
}
