//! The `tesseract` program, found at run time, and its TSV output.

use crate::decode::{GrayImage, Limits};
use crate::OcrError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The language model reports need: simplified Chinese (its digits and Latin are included).
pub const LANG: &str = "chi_sim";

/// Environment variable naming the tesseract program; `none` disables OCR.
pub const ENV: &str = "NIANBAO_TESSERACT";

/// One recognised word and its box, in the pixels of the image recognised.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The text (Chinese words come without spaces).
    pub text: String,
    /// Left edge.
    pub left: u32,
    /// Top edge.
    pub top: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Tesseract's confidence, 0-100.
    pub conf: f32,
}

/// A usable tesseract program with the [`LANG`] model.
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    /// The model for the second reading of number cells (`eng` when installed).
    number_lang: &'static str,
    /// Page segmentation mode (`--psm`).
    pub psm: u8,
    /// Limits on time.
    pub limits: Limits,
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn models(program: &Path) -> Vec<String> {
    Command::new(program)
        .arg("--list-langs")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(|l| l.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

impl Tesseract {
    /// The tesseract program of this machine, when there is one with the [`LANG`] model:
    /// the program [`ENV`] names (`none` disables OCR), else `tesseract` on `PATH`. Looked up
    /// once per process.
    pub fn find() -> Option<&'static Tesseract> {
        static FOUND: OnceLock<Option<Tesseract>> = OnceLock::new();
        FOUND
            .get_or_init(|| {
                let program = match std::env::var_os(ENV) {
                    Some(v) if v == "none" || v.is_empty() => return None,
                    Some(v) => PathBuf::from(v),
                    None => on_path("tesseract")?,
                };
                // `NIANBAO_OCR_PSM` overrides the page segmentation mode (for measurements).
                let psm = std::env::var("NIANBAO_OCR_PSM")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(6);
                let models = models(&program);
                let number_lang = if models.iter().any(|m| m == "eng") {
                    "eng"
                } else {
                    LANG
                };
                models.iter().any(|m| m == LANG).then(|| Tesseract {
                    program,
                    number_lang,
                    psm,
                    limits: Limits::default(),
                })
            })
            .as_ref()
    }

    /// Run tesseract on an image with the [`LANG`] model; words with non-empty text, in
    /// reading order.
    pub fn recognise(&self, img: &GrayImage) -> Result<Vec<Word>, OcrError> {
        let pages = self.run(std::slice::from_ref(img), LANG, self.psm)?;
        Ok(pages.into_iter().next().unwrap_or_default())
    }

    /// Read small images (table cells) each as one line of numbers, in one tesseract run.
    pub fn recognise_numbers(&self, imgs: &[GrayImage]) -> Result<Vec<Vec<Word>>, OcrError> {
        if imgs.is_empty() {
            return Ok(Vec::new());
        }
        self.run(imgs, self.number_lang, 7)
    }

    /// Read small images (table cells) each as a block of Chinese text, in one run.
    pub fn recognise_cells(&self, imgs: &[GrayImage]) -> Result<Vec<Vec<Word>>, OcrError> {
        if imgs.is_empty() {
            return Ok(Vec::new());
        }
        self.run(imgs, LANG, 6)
    }

    /// One tesseract run over `imgs` (a list file when there are several); the words of
    /// each image.
    fn run(&self, imgs: &[GrayImage], lang: &str, psm: u8) -> Result<Vec<Vec<Word>>, OcrError> {
        let err = |e: &dyn std::fmt::Display| OcrError::Tesseract(e.to_string());
        let dir = tempfile::tempdir().map_err(|e| err(&e))?;
        let mut list = String::new();
        for (i, img) in imgs.iter().enumerate() {
            let path = dir.path().join(format!("i{i}.pgm"));
            img.save_with_format(&path, image::ImageFormat::Pnm)
                .map_err(|e| err(&e))?;
            list.push_str(&path.to_string_lossy());
            list.push('\n');
        }
        let input = if imgs.len() == 1 {
            dir.path().join("i0.pgm")
        } else {
            let p = dir.path().join("list.txt");
            std::fs::write(&p, list).map_err(|e| err(&e))?;
            p
        };
        let base = dir.path().join("out");
        let mut child = Command::new(&self.program)
            .arg(&input)
            .arg(&base)
            .args(["-l", lang, "--psm", &psm.to_string(), "tsv"])
            // One thread per run: callers parallelise over pages, and OpenMP threads on a
            // busy machine only slow it down.
            .env("OMP_THREAD_LIMIT", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| err(&e))?;
        let deadline = Instant::now() + Duration::from_secs(self.limits.timeout_secs);
        let status = loop {
            match child.try_wait().map_err(|e| err(&e))? {
                Some(s) => break s,
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(err(&format!(
                        "no result within {} s",
                        self.limits.timeout_secs
                    )));
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        if !status.success() {
            return Err(err(&status));
        }
        let tsv = std::fs::read(base.with_extension("tsv")).map_err(|e| err(&e))?;
        let mut out = vec![Vec::new(); imgs.len()];
        for (page, w) in parse_tsv_pages(&String::from_utf8_lossy(&tsv)) {
            if let Some(v) = (page as usize).checked_sub(1).and_then(|i| out.get_mut(i)) {
                v.push(w);
            }
        }
        Ok(out)
    }
}

/// Words (level 5 rows) of tesseract's TSV output.
pub fn parse_tsv(tsv: &str) -> Vec<Word> {
    parse_tsv_pages(tsv).into_iter().map(|(_, w)| w).collect()
}

/// Words of tesseract's TSV output with their 1-based page (image) number.
pub fn parse_tsv_pages(tsv: &str) -> Vec<(u32, Word)> {
    tsv.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 12 || f[0] != "5" {
                return None;
            }
            let text = f[11].trim();
            if text.is_empty() {
                return None;
            }
            let n = |i: usize| f[i].trim().parse::<u32>().ok();
            Some((
                n(1)?,
                Word {
                    text: text.to_string(),
                    left: n(6)?,
                    top: n(7)?,
                    width: n(8)?,
                    height: n(9)?,
                    conf: f[10].trim().parse().unwrap_or(0.0),
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_words() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
                   1\t1\t0\t0\t0\t0\t0\t0\t1654\t2339\t-1\t\n\
                   5\t1\t1\t1\t2\t1\t718\t346\t30\t30\t96.67\t第\n\
                   5\t1\t1\t1\t2\t2\t763\t350\t19\t23\t96.9\t 859 \n\
                   5\t1\t1\t1\t2\t3\t763\t350\t19\t23\t96.9\t \n";
        let w = parse_tsv(tsv);
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].text, "859");
        assert_eq!(
            (w[0].left, w[0].top, w[0].width, w[0].height),
            (718, 346, 30, 30)
        );
    }
}
