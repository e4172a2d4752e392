//! Count truth misses of the aligner on a document or a plain-text rendering of it.
//! Usage: truth_misses TRUTH.json FILE   (FILE: a document, or `.txt` text from any tool)
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [truth, file] = args.as_slice() else {
        return Err("usage: truth_misses TRUTH.json FILE".into());
    };
    let truth: serde_json::Value = serde_json::from_slice(&std::fs::read(truth)?)?;
    let truth = truth["truth"].as_object().cloned().unwrap_or_default();
    let bytes = std::fs::read(file)?;
    let report =
        nianbao_ingest::extract_bytes(&bytes, &nianbao_ingest::InputHint::file(file))?.remove(0);
    let misses: Vec<String> = truth
        .iter()
        .filter(|(k, v)| {
            let got = report.cells.get(*k).copied().flatten().map(|x| x.as_f64());
            !matches!((got, v.as_f64()), (Some(g), Some(w)) if (g - w).abs() < 1e-6)
        })
        .map(|(k, _)| k.clone())
        .collect();
    println!(
        "{file}: {} of {} truth keys missed",
        misses.len(),
        truth.len()
    );
    Ok(())
}
