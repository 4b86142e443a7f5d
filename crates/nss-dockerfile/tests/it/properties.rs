//! Reading never panics, whatever the bytes; spans always index the text.

use nss_dockerfile::Dockerfile;
use proptest::prelude::*;

/// Pieces of Dockerfiles, including broken ones, joined into arbitrary files.
const PIECES: &[&str] = &[
    "# escape=`",
    "# syntax=x",
    "FROM a AS b",
    "from $X",
    "ARG A=\"x y\" B",
    "RUN a \\",
    "RUN a `",
    "  # comment",
    "",
    "RUN <<EOF cat <<-'B'",
    "EOF",
    "\tB",
    "COPY <<X /p",
    "ENTRYPOINT []",
    "CMD [1, 2]",
    "CMD [\"a\"",
    "ONBUILD ONBUILD",
    "ONBUILD",
    "HEALTHCHECK --x CMD",
    "LABEL a=\"b \\\" c\"",
    "RUN --mount=type=cache,target=\"/x y\" --",
    "\u{feff}FROM é",
    "\r",
];

proptest! {
    #[test]
    fn never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        check(&text);
    }

    #[test]
    fn never_panics_on_pieces(idx in proptest::collection::vec(0..PIECES.len(), 0..24)) {
        let text: String = idx.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join("\n");
        check(&text);
    }
}

fn check(text: &str) {
    let Ok(df) = Dockerfile::parse(text) else {
        return;
    };
    let _ = df.validate();
    let _ = df.stages();
    for ins in &df.instructions {
        assert!(
            text.get(ins.span.clone()).is_some(),
            "{:?} in {text:?}",
            ins.span
        );
        let _ = ins.form();
        let _ = ins.list();
        for w in ins.words() {
            assert!(
                text.get(w.span.clone()).is_some(),
                "{:?} in {text:?}",
                w.span
            );
        }
        for f in &ins.flags {
            assert!(text.get(f.span.clone()).is_some());
        }
        if let Some(t) = &ins.trigger {
            assert!(
                text.get(t.span.clone()).is_some(),
                "{:?} in {text:?}",
                t.span
            );
            let _ = t.words();
        }
    }
    for c in &df.comments {
        assert!(text.get(c.span.clone()).is_some());
    }
    let mut lines: Vec<usize> = df.comments.iter().map(|c| c.line).collect();
    lines.extend(df.instructions.iter().map(|i| i.line));
    let count = lines.len();
    lines.sort_unstable();
    lines.dedup();
    assert_eq!(lines.len(), count, "a line read twice in {text:?}");
}
