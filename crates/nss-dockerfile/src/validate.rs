//! The checks BuildKit makes after parsing (its `instructions` package):
//! known instructions, a `FROM` first, stage names, `ONBUILD` triggers and
//! `HEALTHCHECK` types, and argument counts.

use std::collections::HashMap;

use crate::dockerfile::{Dockerfile, INSTRUCTIONS, Instruction};
use crate::error::Error;

impl Dockerfile {
    /// Checks what BuildKit checks before it builds; the first problem is the error.
    ///
    /// # Errors
    ///
    /// An unknown instruction; an instruction other than `ARG` before the first
    /// `FROM`; no `FROM`; `FROM` without one or three arguments
    /// (`image [AS name]`); an invalid or repeated stage name; a forbidden or
    /// missing `ONBUILD` trigger; a `HEALTHCHECK` other than `NONE` or `CMD`;
    /// an instruction without the arguments it needs.
    pub fn validate(&self) -> Result<(), Error> {
        let mut seen_from = false;
        let mut names: HashMap<String, usize> = HashMap::new();
        for ins in &self.instructions {
            check_instruction(ins)?;
            if ins.is("FROM") {
                seen_from = true;
            } else if !seen_from && !ins.is("ARG") {
                return Err(Error::new(
                    ins.line,
                    format!(
                        "{} before the first FROM: expected FROM (only ARG may come before it)",
                        ins.keyword
                    ),
                ));
            }
        }
        if !seen_from {
            return Err(Error::new(
                0,
                "no FROM instruction: a Dockerfile needs at least one stage (FROM image)",
            ));
        }
        for stage in self.stages() {
            let Some(name) = stage.name else { continue };
            let line = self.instructions[stage.from].line;
            if let Some(first) = names.insert(name.clone(), line) {
                return Err(Error::new(
                    line,
                    format!("duplicate stage name '{name}' (first on line {first})"),
                ));
            }
        }
        Ok(())
    }
}

fn check_instruction(ins: &Instruction) -> Result<(), Error> {
    let err = |message: String| Err(Error::new(ins.line, message));
    let keyword = ins.keyword.as_str();
    if !INSTRUCTIONS.contains(&keyword) {
        return err(format!("unknown instruction '{keyword}'"));
    }
    let args = ins.args();
    match keyword {
        "FROM" => {
            let words: Vec<&str> = args.split_whitespace().collect();
            match words.as_slice() {
                [_] => {}
                [_, as_, name] if as_.eq_ignore_ascii_case("as") => {
                    let name = name.to_ascii_lowercase();
                    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
                        && name.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c)
                        });
                    if !valid {
                        return err(format!(
                            "invalid name for build stage: '{name}', name can't start with a number or contain symbols"
                        ));
                    }
                }
                _ => {
                    return err(
                        "FROM requires either one or three arguments (FROM image [AS name])".into(),
                    );
                }
            }
        }
        "ONBUILD" => {
            let Some(trigger) = &ins.trigger else {
                return err("ONBUILD requires at least one argument".into());
            };
            if matches!(trigger.keyword.as_str(), "ONBUILD" | "FROM" | "MAINTAINER") {
                return err(format!(
                    "{} isn't allowed as an ONBUILD trigger",
                    trigger.keyword
                ));
            }
            check_instruction(trigger)?;
        }
        "HEALTHCHECK" => {
            let mut words = args.split_whitespace();
            match words.next().map(str::to_ascii_uppercase).as_deref() {
                Some("NONE") if words.next().is_some() => {
                    return err("HEALTHCHECK NONE takes no arguments".into());
                }
                Some("NONE") => {}
                Some("CMD") if words.next().is_none() => {
                    return err("missing command after HEALTHCHECK CMD".into());
                }
                Some("CMD") => {}
                Some(other) => {
                    return err(format!("unknown type '{other}' in HEALTHCHECK (try CMD)"));
                }
                None => return err("HEALTHCHECK requires an argument".into()),
            }
        }
        "COPY" | "ADD" if ins.list().len() < 2 => {
            return err(format!(
                "{keyword} requires at least two arguments, but got {}",
                ins.list().len()
            ));
        }
        "ARG" | "ENV" | "LABEL" | "EXPOSE" | "VOLUME" | "USER" | "WORKDIR" | "STOPSIGNAL"
        | "MAINTAINER"
            if args.is_empty() =>
        {
            return err(format!("{keyword} requires at least one argument"));
        }
        _ => {}
    }
    Ok(())
}
