//! Where an image's bytes are: per layer (with the instruction and stage that made it),
//! the largest Python distributions, the CUDA libraries, and the change since the last
//! report of the same tag. Rendered as text, JSON or a self-contained HTML page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::archive::ImageArchive;
use crate::{Error, python};

/// One layer of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSize {
    /// Bytes, as the engine counts them.
    pub size: u64,
    /// The instruction that made it.
    pub instruction: String,
    /// The stage (or base image) it belongs to.
    pub stage: String,
    /// Its uncompressed digest.
    pub diff_id: String,
}

/// A named item and its bytes (a Python distribution, a CUDA library).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The name (`torch 2.8.0`, `libcublasLt`).
    pub name: String,
    /// Bytes.
    pub size: u64,
}

/// The change since the previous report of the same tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta {
    /// The previous image's ID.
    pub previous_id: String,
    /// The previous total.
    pub previous_total: u64,
    /// `total - previous_total`.
    pub change: i64,
    /// Layers this image has that the previous one did not.
    pub new_layers: Vec<LayerSize>,
}

/// The size report of one image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeReport {
    /// The reference the user named.
    pub image: String,
    /// The image ID.
    pub id: String,
    /// The image's size as the engine reports it.
    pub total: u64,
    /// Every layer, base first; their sizes plus `metadata` add up to `total`.
    pub layers: Vec<LayerSize>,
    /// Bytes the engine counts in the image's size beyond its layers (podman counts the
    /// image's config and manifest); 0 on docker.
    pub metadata: u64,
    /// Python distributions, largest first.
    pub python: Vec<Item>,
    /// CUDA libraries (by library, all versions and links together), largest first.
    pub cuda: Vec<Item>,
    /// The change since the previous report of this tag, when there is one.
    pub delta: Option<Delta>,
}

/// What the engine says about the image, for [`SizeReport::new`].
#[derive(Debug, Clone, Default)]
pub struct EngineSizes {
    /// The image's size (`inspect`'s `Size`).
    pub total: u64,
    /// Each layer's size, base first, in the order of the archive's layers.
    pub layers: Vec<u64>,
}

/// Stage names for ranges of layers: `(name, end)` means the layers before index `end`
/// not claimed by an earlier entry belong to `name`; layers after the last end belong to
/// `rest`.
#[derive(Debug, Clone, Default)]
pub struct Stages {
    /// `(name, end)` in increasing `end`.
    pub bounds: Vec<(String, usize)>,
    /// The name of the remaining layers (the image's own stage).
    pub rest: String,
}

impl Stages {
    fn name(&self, i: usize) -> &str {
        self.bounds
            .iter()
            .find(|(_, end)| i < *end)
            .map_or(self.rest.as_str(), |(n, _)| n.as_str())
    }
}

/// True for a shared library of the CUDA toolkit or its companions.
fn cuda_library(path: &str) -> Option<&str> {
    let base = path.rsplit('/').next()?;
    let stem = &base[..base.find(".so")?];
    const FAMILIES: [&str; 12] = [
        "libcuda",
        "libcublas",
        "libcudnn",
        "libcufft",
        "libcurand",
        "libcusolver",
        "libcusparse",
        "libnccl",
        "libnvrtc",
        "libnvjitlink",
        "libnvToolsExt",
        "libcupti",
    ];
    FAMILIES
        .iter()
        .any(|f| stem.starts_with(f) || stem == "libnvJitLink" || stem.starts_with("libcudart"))
        .then_some(stem)
}

impl SizeReport {
    /// Builds the report. Fails when the engine's layer sizes do not match the archive's
    /// layers, or add up to more than the engine's total.
    pub fn new(
        image: &str,
        archive: &ImageArchive,
        engine: &EngineSizes,
        stages: &Stages,
        previous: Option<&SizeReport>,
    ) -> Result<Self, Error> {
        if engine.layers.len() != archive.layers.len() {
            return Err(Error::Size(format!(
                "the engine reports {} layers for {image}, its archive holds {}",
                engine.layers.len(),
                archive.layers.len()
            )));
        }
        let sum: u64 = engine.layers.iter().sum();
        let metadata = engine.total.checked_sub(sum).ok_or_else(|| {
            Error::Size(format!(
                "the layers of {image} add up to {sum} bytes, more than its size {}",
                engine.total
            ))
        })?;
        let layers: Vec<LayerSize> = archive
            .layers
            .iter()
            .zip(&engine.layers)
            .enumerate()
            .map(|(i, (l, size))| LayerSize {
                size: *size,
                instruction: l.created_by.clone(),
                stage: stages.name(i).to_string(),
                diff_id: l.diff_id.clone(),
            })
            .collect();
        let mut python: Vec<Item> = python::distributions(&archive.filesystem)?
            .into_iter()
            .map(|d| Item {
                name: format!("{} {}", d.name, d.version),
                size: d.size,
            })
            .collect();
        python.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
        let mut cuda: BTreeMap<String, u64> = BTreeMap::new();
        for (path, f) in &archive.filesystem.files {
            if let Some(lib) = cuda_library(path) {
                *cuda.entry(lib.to_string()).or_default() += f.size;
            }
        }
        let mut cuda: Vec<Item> = cuda
            .into_iter()
            .filter(|(_, s)| *s > 0)
            .map(|(name, size)| Item { name, size })
            .collect();
        cuda.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.name.cmp(&b.name)));
        let delta = previous.filter(|p| p.id != archive.id).map(|p| Delta {
            previous_id: p.id.clone(),
            previous_total: p.total,
            change: i64::try_from(engine.total).unwrap_or(i64::MAX)
                - i64::try_from(p.total).unwrap_or(i64::MAX),
            new_layers: layers
                .iter()
                .filter(|l| !p.layers.iter().any(|o| o.diff_id == l.diff_id))
                .cloned()
                .collect(),
        });
        Ok(Self {
            image: image.to_string(),
            id: archive.id.clone(),
            total: engine.total,
            layers,
            metadata,
            python,
            cuda,
            delta,
        })
    }

    /// The layer with the most bytes.
    pub fn largest_layer(&self) -> Option<&LayerSize> {
        self.layers.iter().max_by_key(|l| l.size)
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The report as text for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} ({}): {} in {} layers",
            self.image,
            short_id(&self.id),
            human(self.total),
            self.layers.len()
        );
        let _ = writeln!(s, "\nlayers (base first):");
        for l in &self.layers {
            let _ = writeln!(
                s,
                "  {:>10}  {:<10} {}",
                human(l.size),
                l.stage,
                ellipsize(&l.instruction, 90)
            );
        }
        if self.metadata > 0 {
            let _ = writeln!(
                s,
                "  {:>10}  {:<10} (image config and manifest)",
                human(self.metadata),
                ""
            );
        }
        if let Some(l) = self.largest_layer() {
            let _ = writeln!(
                s,
                "\nlargest layer: {} ({}, stage {}): {}",
                human(l.size),
                pct(l.size, self.total),
                l.stage,
                ellipsize(&l.instruction, 120)
            );
        }
        section(
            &mut s,
            "Python distributions (largest first)",
            &self.python,
            self.total,
        );
        section(&mut s, "CUDA libraries", &self.cuda, self.total);
        if let Some(d) = &self.delta {
            let sign = if d.change >= 0 { "+" } else { "-" };
            let _ = writeln!(
                s,
                "\nsince the previous build ({}): {sign}{} ({} -> {})",
                short_id(&d.previous_id),
                human(d.change.unsigned_abs()),
                human(d.previous_total),
                human(self.total)
            );
            for l in &d.new_layers {
                let _ = writeln!(
                    s,
                    "  new layer {:>10}  {}",
                    human(l.size),
                    ellipsize(&l.instruction, 90)
                );
            }
        }
        s
    }

    /// The report as one self-contained HTML page (inline CSS, no scripts, no network):
    /// a bar per layer and per Python distribution.
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        let _ = write!(
            h,
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{title}</title><style>\
             body{{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}}\
             h1{{font-size:20px}}h2{{font-size:16px;margin-top:1.5em}}\
             table{{border-collapse:collapse;width:100%}}td{{padding:2px 6px;vertical-align:middle}}\
             td.n{{text-align:right;white-space:nowrap;width:7em}}td.s{{white-space:nowrap;width:7em;color:#555}}\
             .bar{{background:#76b900;height:14px;min-width:1px}}\
             .i{{font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}}\
             </style></head><body>\n<h1>{title}</h1>\n<p>{id} &middot; {total} in {n} layers</p>\n",
            title = esc(&self.image),
            id = esc(short_id(&self.id)),
            total = human(self.total),
            n = self.layers.len()
        );
        let max = self.layers.iter().map(|l| l.size).max().unwrap_or(1).max(1);
        h.push_str("<h2>Layers (base first)</h2>\n<table>\n");
        for l in &self.layers {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td class=\"s\">{}</td><td style=\"width:30%\"><div class=\"bar\" style=\"width:{:.2}%\"></div></td><td class=\"i\">{}</td></tr>",
                human(l.size),
                esc(&l.stage),
                bar(l.size, max),
                esc(&ellipsize(&l.instruction, 200))
            );
        }
        h.push_str("</table>\n");
        for (title, items) in [
            ("Python distributions", &self.python),
            ("CUDA libraries", &self.cuda),
        ] {
            if items.is_empty() {
                continue;
            }
            let max = items.iter().map(|i| i.size).max().unwrap_or(1).max(1);
            let _ = writeln!(h, "<h2>{title}</h2>\n<table>");
            for i in items.iter().take(30) {
                let _ = writeln!(
                    h,
                    "<tr><td class=\"n\">{}</td><td style=\"width:30%\"><div class=\"bar\" style=\"width:{:.2}%\"></div></td><td>{}</td></tr>",
                    human(i.size),
                    bar(i.size, max),
                    esc(&i.name)
                );
            }
            h.push_str("</table>\n");
        }
        if let Some(d) = &self.delta {
            let sign = if d.change >= 0 { "+" } else { "-" };
            let _ = writeln!(
                h,
                "<h2>Since the previous build</h2>\n<p>{sign}{} ({} &rarr; {}), {} new layers</p>",
                human(d.change.unsigned_abs()),
                human(d.previous_total),
                human(self.total),
                d.new_layers.len()
            );
        }
        h.push_str("</body></html>\n");
        h
    }
}

fn section(s: &mut String, title: &str, items: &[Item], total: u64) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n{title}:");
    for i in items.iter().take(15) {
        let _ = writeln!(
            s,
            "  {:>10}  {:>6}  {}",
            human(i.size),
            pct(i.size, total),
            i.name
        );
    }
    if items.len() > 15 {
        let rest: u64 = items[15..].iter().map(|i| i.size).sum();
        let _ = writeln!(
            s,
            "  {:>10}  {:>6}  ({} more)",
            human(rest),
            pct(rest, total),
            items.len() - 15
        );
    }
}

fn bar(size: u64, max: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let r = size as f64 / max as f64;
    (r * 100.0).clamp(0.0, 100.0)
}

fn pct(part: u64, total: u64) -> String {
    if total == 0 {
        return "-".into();
    }
    #[allow(clippy::cast_precision_loss)]
    let p = part as f64 * 100.0 / total as f64;
    format!("{p:.1}%")
}

/// Bytes for people: `1.23 GB` (powers of 1000, as engines print them).
pub fn human(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    #[allow(clippy::cast_precision_loss)]
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}

fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::Layer;
    use crate::filesystem::Filesystem;

    fn archive(layers: &[(&str, &str)]) -> ImageArchive {
        ImageArchive {
            repo_tags: vec![],
            id: "sha256:0123456789abcdef".into(),
            platform: "linux/amd64".into(),
            labels: BTreeMap::new(),
            layers: layers
                .iter()
                .map(|(d, c)| Layer {
                    diff_id: (*d).into(),
                    created_by: (*c).into(),
                    content_bytes: 0,
                    entries: 0,
                })
                .collect(),
            history: Vec::new(),
            filesystem: Filesystem::default(),
        }
    }

    /// The report of `archive` (image `x`, no stages) for the engine's sizes.
    fn report(
        archive: &ImageArchive,
        total: u64,
        layers: &[u64],
        previous: Option<&SizeReport>,
    ) -> Result<SizeReport, Error> {
        let engine = EngineSizes {
            total,
            layers: layers.to_vec(),
        };
        SizeReport::new("x", archive, &engine, &Stages::default(), previous)
    }

    #[test]
    fn layers_and_metadata_account_for_the_total() {
        let a = archive(&[
            ("sha256:a", "base"),
            ("sha256:b", "RUN big"),
            ("sha256:c", "COPY src"),
        ]);
        let stages = Stages {
            bounds: vec![("base".into(), 1)],
            rest: "runtime".into(),
        };
        let r = SizeReport::new(
            "x:1",
            &a,
            &EngineSizes {
                total: 1111,
                layers: vec![100, 1000, 10],
            },
            &stages,
            None,
        )
        .unwrap();
        assert_eq!(
            r.layers.iter().map(|l| l.size).sum::<u64>() + r.metadata,
            r.total
        );
        assert_eq!(r.metadata, 1);
        assert_eq!(r.largest_layer().unwrap().instruction, "RUN big");
        assert_eq!(
            r.layers
                .iter()
                .map(|l| l.stage.as_str())
                .collect::<Vec<_>>(),
            ["base", "runtime", "runtime"]
        );
        assert!(r.to_text().contains("largest layer: 1.00 kB"));
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(json["total"], 1111);
        assert_eq!(json["layers"][1]["instruction"], "RUN big");
    }

    #[test]
    fn refuses_sizes_that_do_not_fit() {
        let a = archive(&[("sha256:a", "x")]);
        let e = report(&a, 5, &[6], None);
        assert!(e.unwrap_err().to_string().contains("more than its size 5"));
        let e = report(&a, 5, &[], None);
        assert!(e.unwrap_err().to_string().contains("0 layers"));
    }

    #[test]
    fn delta_names_the_new_layers() {
        let old = archive(&[("sha256:a", "base"), ("sha256:b", "COPY src v1")]);
        let prev = report(&old, 30, &[10, 20], None).unwrap();
        let mut new = archive(&[("sha256:a", "base"), ("sha256:c", "COPY src v2")]);
        new.id = "sha256:fedcba".into();
        let r = report(&new, 35, &[10, 25], Some(&prev)).unwrap();
        let d = r.delta.unwrap();
        assert_eq!(d.change, 5);
        assert_eq!(d.new_layers.len(), 1);
        assert_eq!(d.new_layers[0].instruction, "COPY src v2");
    }

    #[test]
    fn html_escapes_instructions() {
        let a = archive(&[("sha256:a", "RUN echo '<script>'")]);
        let r = report(&a, 1, &[1], None).unwrap();
        let h = r.to_html();
        assert!(!h.contains("<script>"));
        assert!(h.contains("&lt;script&gt;"));
    }

    #[test]
    fn cuda_libraries_by_family() {
        assert_eq!(
            cuda_library("usr/local/cuda/lib64/libcublasLt.so.12.8.4.1"),
            Some("libcublasLt")
        );
        assert_eq!(cuda_library("usr/lib/x86_64-linux-gnu/libc.so.6"), None);
        assert_eq!(
            cuda_library(
                "opt/venv/lib/python3.11/site-packages/nvidia/cudnn/lib/libcudnn_ops.so.9"
            ),
            Some("libcudnn_ops")
        );
    }
}
