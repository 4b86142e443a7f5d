//! Findings, the report, and how it is rendered on stderr.

use std::fmt;

use serde::Serialize;

use crate::scope::Scope;

/// Every line of the text report starts with this.
pub const PREFIX: &str = "[nss-container]";

/// How serious a finding is. Ordered: `Hint < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing; the app will run (e.g. no Hugging Face token for gated models).
    Hint,
    /// The app will likely fail or lose work (e.g. a 64 MiB `/dev/shm`).
    Warning,
    /// The app cannot work as configured (e.g. a driver of an older CUDA major).
    Error,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Hint => "hint",
            Level::Warning => "warning",
            Level::Error => "error",
        })
    }
}

/// One thing a check found: a stable id (for scripts and `NSS_PREFLIGHT_IGNORE`), a level,
/// what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable, kebab-case, e.g. `workspace-empty`.
    pub id: &'static str,
    /// How serious it is.
    pub level: Level,
    /// What is wrong, one sentence.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl Finding {
    /// A finding.
    pub fn new(
        id: &'static str,
        level: Level,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            id,
            level,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

/// The outcome of a preflight: which checks ran and what they found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How much was checked.
    pub scope: Scope,
    /// What was found, in check order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The most serious level found, `None` when clean.
    pub fn worst(&self) -> Option<Level> {
        self.findings.iter().map(|f| f.level).max()
    }

    /// Whether any finding is at least `level`.
    pub fn has(&self, level: Level) -> bool {
        self.worst().is_some_and(|worst| worst >= level)
    }

    /// The ids found, in order.
    pub fn ids(&self) -> Vec<&'static str> {
        self.findings.iter().map(|f| f.id).collect()
    }

    /// The text for stderr: per finding, `[nss-container] LEVEL: MESSAGE (ID)` and
    /// `[nss-container]   fix: FIX`, each line of a multi-line text prefixed. Empty when
    /// nothing was found.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let head = format!("{}: {} ({})", f.level, f.message, f.id);
            push_prefixed(&mut out, "", &head);
            if !f.fix.is_empty() {
                push_prefixed(&mut out, "  fix: ", &f.fix);
            }
        }
        out
    }

    /// The report as one line of JSON:
    /// `{"scope":"full","findings":[{"id":..,"level":"warning","message":..,"fix":..}]}`.
    pub fn to_json(&self) -> String {
        // Serializing plain strings and enums into a String cannot fail.
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// `text` with every control character escaped (`\n`, `\u{1b}`), so a value taken from
/// the environment stays on its line.
pub(crate) fn escape_controls(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Each line of `text` behind the prefix; control characters other than the line breaks
/// are escaped, so no line starts without the prefix or rewrites the terminal.
fn push_prefixed(out: &mut String, lead: &str, text: &str) {
    for (i, line) in text.split('\n').map(escape_controls).enumerate() {
        let line = line.as_str();
        let lead = if i == 0 { lead } else { "    " };
        out.push_str(PREFIX);
        out.push(' ');
        out.push_str(lead);
        out.push_str(line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            scope: Scope::Full,
            findings: vec![
                Finding::new("a-hint", Level::Hint, "something\nsecond line", "do this"),
                Finding::new("a-warning", Level::Warning, "worse", ""),
            ],
        }
    }

    #[test]
    fn every_text_line_is_prefixed() {
        let text = report().render_text();
        let want = "[nss-container] hint: something\n\
                    [nss-container]     second line (a-hint)\n\
                    [nss-container]   fix: do this\n\
                    [nss-container] warning: worse (a-warning)\n";
        assert_eq!(text, want);
        assert!(
            Report {
                scope: Scope::Full,
                findings: vec![]
            }
            .render_text()
            .is_empty()
        );
    }

    #[test]
    fn json_is_one_object_on_one_line() {
        let json = report().to_json();
        assert!(!json.contains('\n'));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["scope"], "full");
        assert_eq!(value["findings"][1]["id"], "a-warning");
        assert_eq!(value["findings"][1]["level"], "warning");
        assert_eq!(value["findings"][0]["fix"], "do this");
    }

    #[test]
    fn worst_level_orders_hint_warning_error() {
        let r = report();
        assert_eq!(r.worst(), Some(Level::Warning));
        assert!(r.has(Level::Hint) && r.has(Level::Warning) && !r.has(Level::Error));
        assert_eq!(
            Report {
                scope: Scope::Off,
                findings: vec![]
            }
            .worst(),
            None
        );
    }
}
