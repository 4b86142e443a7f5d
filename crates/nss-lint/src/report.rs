//! Findings for tools: JSON, and SARIF 2.1.0 (the format GitHub code scanning
//! reads), with each rule's id, name, summary and a link to its entry in the
//! developer guide.

use std::path::Path;

use serde::Serialize;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, Region,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, SCHEMA_URL, Sarif, Tool,
    ToolComponent,
};

use crate::finding::Finding;
use crate::rules::{RULES, Rule};

/// Where the rules are documented, relative to the repository root; each rule
/// has an anchor named after its id in lowercase (`#nss008`).
pub const RULES_DOC: &str = "docs/developer-guide.md";

/// The documentation link of `rule`: `docs/developer-guide.md#nss008`.
#[must_use]
pub fn help_uri(rule: Rule) -> String {
    format!("{RULES_DOC}#{}", rule.id.to_ascii_lowercase())
}

/// One finding with its file, as `--format json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonFinding {
    /// The Dockerfile, as shown to the user.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Rule id (`NSS008`).
    pub rule: &'static str,
    /// Rule name (`non-root-user`).
    pub name: &'static str,
    /// What is wrong and the fix.
    pub message: String,
    /// Link to the rule's documentation.
    pub help: String,
}

/// The findings of several files as a JSON array of [`JsonFinding`].
#[must_use]
pub fn to_json(files: &[(&Path, Vec<Finding>)]) -> serde_json::Value {
    let rows: Vec<JsonFinding> = files
        .iter()
        .flat_map(|(file, findings)| {
            findings.iter().map(move |f| JsonFinding {
                file: file.display().to_string(),
                line: f.line,
                rule: f.rule.id,
                name: f.rule.name,
                message: f.message.clone(),
                help: help_uri(f.rule),
            })
        })
        .collect();
    serde_json::to_value(rows).unwrap_or_default()
}

/// The findings of several files as one SARIF 2.1.0 log with one run; every
/// rule is described in the tool's driver (id, name, summary, and help whose
/// markdown links to the rule's entry in [`RULES_DOC`]; SARIF's `helpUri` must
/// be an absolute URI, which a checkout-relative guide does not have), findings
/// are warnings.
#[must_use]
pub fn to_sarif(files: &[(&Path, Vec<Finding>)]) -> Sarif {
    let rules: Vec<ReportingDescriptor> = RULES
        .iter()
        .map(|r| {
            ReportingDescriptor::builder()
                .id(r.id)
                .name(r.name)
                .short_description(MultiformatMessageString::builder().text(r.summary).build())
                .help(
                    MultiformatMessageString::builder()
                        .text(format!(
                            "{}; see {} (suppress with `# nss-lint ignore={} reason`)",
                            r.summary,
                            help_uri(*r),
                            r.id
                        ))
                        .markdown(format!(
                            "{}. See [{} {}]({}); suppress with `# nss-lint ignore={} reason`.",
                            r.summary,
                            r.id,
                            r.name,
                            help_uri(*r),
                            r.id
                        ))
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<SarifResult> = files
        .iter()
        .flat_map(|(file, findings)| {
            findings.iter().map(move |f| {
                let index = RULES.iter().position(|r| *r == f.rule).unwrap_or_default();
                let location = Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(
                                ArtifactLocation::builder()
                                    .uri(file.display().to_string())
                                    .build(),
                            )
                            .region(
                                Region::builder()
                                    .start_line(i64::try_from(f.line.max(1)).unwrap_or(1))
                                    .build(),
                            )
                            .build(),
                    )
                    .build();
                SarifResult::builder()
                    .rule_id(f.rule.id)
                    .rule_index(i64::try_from(index).unwrap_or_default())
                    .level(ResultLevel::Warning)
                    .message(Message::builder().text(f.message.clone()).build())
                    .locations(vec![location])
                    .build()
            })
        })
        .collect();
    let driver = ToolComponent::builder()
        .name("nss-lint")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    Sarif::builder()
        .schema(SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![
            Run::builder()
                .tool(Tool::builder().driver(driver).build())
                .results(results)
                .build(),
        ])
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::NON_ROOT_USER;

    fn sample() -> Vec<Finding> {
        vec![Finding {
            rule: NON_ROOT_USER,
            line: 7,
            message: "stage `app` runs as root".into(),
        }]
    }

    #[test]
    fn sarif_names_rule_file_line_and_help() {
        let file = Path::new("containers/Dockerfile.cuda");
        let log = serde_json::to_value(to_sarif(&[(file, sample())])).unwrap();
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "nss-lint");
        assert_eq!(
            run["tool"]["driver"]["rules"].as_array().unwrap().len(),
            RULES.len()
        );
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "NSS008");
        assert_eq!(result["ruleIndex"], 7);
        assert_eq!(result["level"], "warning");
        let loc = &result["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "containers/Dockerfile.cuda");
        assert_eq!(loc["region"]["startLine"], 7);
        let help = run["tool"]["driver"]["rules"][7]["help"]["markdown"]
            .as_str()
            .unwrap();
        assert!(
            help.contains("[NSS008 non-root-user](docs/developer-guide.md#nss008)"),
            "{help}"
        );
    }

    #[test]
    fn json_is_one_object_per_finding() {
        let json = to_json(&[(Path::new("Dockerfile"), sample())]);
        assert_eq!(
            json,
            serde_json::json!([{
                "file": "Dockerfile",
                "line": 7,
                "rule": "NSS008",
                "name": "non-root-user",
                "message": "stage `app` runs as root",
                "help": "docs/developer-guide.md#nss008",
            }])
        );
    }
}
