//! No label value can break out of its argv element or its Dockerfile line.

use nss_labels::{
    ImageKind, Labels, Origin, label_block_drift, parse_label_instruction, sync_label_block,
    validate_label,
};
use proptest::prelude::*;

/// Characters that matter to shells and Dockerfiles, plus anything else.
fn nasty_char() -> impl Strategy<Value = char> {
    prop_oneof![
        Just('"'),
        Just('\''),
        Just('$'),
        Just('\\'),
        Just('`'),
        Just(' '),
        Just('='),
        Just('#'),
        Just('{'),
        Just('}'),
        Just(';'),
        Just('\u{a0}'),
        Just('\u{2028}'),
        any::<char>().prop_filter("validation rejects control characters", |c| !c.is_control()),
    ]
}

/// Label values validation accepts: non-empty, no control characters.
fn value() -> impl Strategy<Value = String> {
    proptest::collection::vec(nasty_char(), 1..40).prop_map(|cs| cs.into_iter().collect::<String>())
}

/// A control character: C0 (newline, carriage return, NUL, tab, ...), DEL or C1.
fn control_char() -> impl Strategy<Value = char> {
    prop_oneof![0u32..0x20, 0x7fu32..0xa0].prop_map(|n| char::from_u32(n).expect("valid char"))
}

fn origin() -> Origin {
    Origin::Default {
        rule: "proptest".into(),
    }
}

fn labels(values: &[String]) -> Labels {
    let pairs = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("org.example.k{i}"), v.clone()));
    Labels::from_pairs(ImageKind::Runtime, pairs, origin()).expect("valid values")
}

proptest! {
    /// `--label k=v` stays one argv element, also through the shell-quoted dry-run form.
    #[test]
    fn args_round_trip_through_shell_words(values in proptest::collection::vec(value(), 1..6)) {
        let labels = labels(&values);
        let args = labels.to_args();
        prop_assert_eq!(args.len(), 2 * values.len());
        for (i, v) in values.iter().enumerate() {
            prop_assert_eq!(&args[2 * i], "--label");
            prop_assert_eq!(&args[2 * i + 1], &format!("org.example.k{i}={v}"));
        }
        let line = shell_words::join(&args);
        prop_assert!(!line.contains('\n'));
        prop_assert_eq!(shell_words::split(&line).unwrap(), args);
    }

    /// The LABEL block re-parses to exactly the same pairs, one physical line each.
    #[test]
    fn dockerfile_block_round_trips(values in proptest::collection::vec(value(), 1..6)) {
        let labels = labels(&values);
        let block = labels.to_dockerfile();
        let (_marker, instruction) = block.split_once('\n').unwrap();
        prop_assert_eq!(instruction.lines().count(), values.len());
        let pairs = parse_label_instruction(instruction, '\\', 1).unwrap();
        prop_assert_eq!(pairs.len(), values.len());
        for (i, (p, v)) in pairs.iter().zip(&values).enumerate() {
            prop_assert_eq!(&p.key, &format!("org.example.k{i}"));
            prop_assert_eq!(&p.value, v);
            prop_assert!(!p.expands, "a value would expand a variable: {:?}", v);
            prop_assert_eq!(p.line, i + 1);
        }
        // inside a Dockerfile, with instructions around it: no drift, nothing else parsed
        let text = format!("FROM scratch\n{block}RUN true\n");
        prop_assert!(label_block_drift(&text, ImageKind::Runtime, &labels).is_empty());
        // and with the backtick escape directive, written by sync
        let text = "# escape=`\nFROM scratch\n# nss-labels: runtime\nRUN true\n";
        let synced = sync_label_block(text, ImageKind::Runtime, &labels).unwrap();
        prop_assert!(synced.ends_with("\nRUN true\n"));
        prop_assert_eq!(synced.lines().count(), 4 + values.len());
        prop_assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());
    }

    /// Values with a control character (newline, carriage return, NUL, ...) are rejected.
    #[test]
    fn control_characters_are_rejected(prefix in value(), c in control_char(), suffix in value()) {
        let v = format!("{prefix}{c}{suffix}");
        prop_assert!(validate_label("org.example.k", &v, &origin()).is_err());
    }
}

/// Pieces of Dockerfiles around a label block, joined at random.
const PIECES: &[&str] = &[
    "FROM scratch AS runtime",
    "LABEL old=1 \\",
    "  # inside",
    "",
    "    other=\"x y\"",
    "RUN echo \\",
    "RUN <<EOF",
    "# nss-labels: dev",
    "EOF",
    "ARG A=1",
    "ENTRYPOINT []",
    "label a=b\r",
];

proptest! {
    /// Sync rewrites the LABEL instruction after the marker and nothing else:
    /// everything up to the marker line and after the old block is byte-identical,
    /// and a second sync is a no-op.
    #[test]
    fn sync_touches_only_the_block(
        before in proptest::collection::vec(0..PIECES.len(), 0..8),
        after in proptest::collection::vec(0..PIECES.len(), 0..8),
        label_first in proptest::bool::ANY,
        values in proptest::collection::vec(value(), 1..4),
    ) {
        let join = |idx: &[usize]| idx.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join("\n");
        let head = format!("FROM scratch\n{}\n# nss-labels: runtime\n", join(&before));
        let block = if label_first { "LABEL a=1 \\\n  b=2\n" } else { "" };
        let text = format!("{head}{block}{}\n", join(&after));
        let labels = labels(&values);
        let Ok(synced) = sync_label_block(&text, ImageKind::Runtime, &labels) else {
            // Only a file the reader refuses (a heredoc without its end), one with a
            // second marker, or one whose marker is inside a continued instruction.
            prop_assert!(
                nss_dockerfile::Dockerfile::parse(&text).is_err()
                    || text.matches("# nss-labels: runtime").count() > 1
                    || !nss_labels::has_marker(&text, ImageKind::Runtime),
                "{:?}", text
            );
            return Ok(());
        };
        prop_assert!(synced.starts_with(&head), "{:?} -> {:?}", text, synced);
        let df = nss_dockerfile::Dockerfile::parse(&text).unwrap();
        let marker = head.lines().count();
        let tail_start = df
            .instructions
            .iter()
            .find(|i| i.line == marker + 1 && i.is("LABEL"))
            .map_or(head.len(), |i| text[i.span.end..].find('\n').map_or(text.len(), |p| i.span.end + p + 1));
        prop_assert!(synced.ends_with(&text[tail_start..]), "{:?} -> {:?}", text, synced);
        prop_assert_eq!(sync_label_block(&synced, ImageKind::Runtime, &labels).unwrap(), synced.clone());
        prop_assert!(label_block_drift(&synced, ImageKind::Runtime, &labels).is_empty());
    }
}
