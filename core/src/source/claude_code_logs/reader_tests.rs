use std::io::Write;
use std::path::Path;

use super::*;

fn usage(id: &str, output: u32) -> String {
    format!(
        "{{\"timestamp\":\"2026-01-05T10:00:00.000Z\",\"sessionId\":\"s\",\"requestId\":\"r{id}\",\"message\":{{\"id\":\"{id}\",\"model\":\"claude-sonnet-4-5\",\"content\":[{{\"text\":\"{}\"}}],\"usage\":{{\"input_tokens\":1,\"output_tokens\":{output}}}}}}}\n",
        "z".repeat(output as usize)
    )
}

fn task(path: &Path, from: u64, fingerprint: Option<i64>) -> ReadTask {
    ReadTask {
        file_id: 1,
        path: path.to_path_buf(),
        size: std::fs::metadata(path).unwrap().len(),
        from,
        fingerprint,
        session_hint: "hint".into(),
    }
}

fn outputs(o: &ReadOutcome) -> Vec<i64> {
    o.entries.iter().map(|e| e.tokens.output).collect()
}

#[test]
fn reads_complete_lines_and_leaves_a_partial_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let (a, b) = (usage("m1", 3), usage("m2", 5));
    std::fs::write(&path, format!("{a}{b}{}", &a[..20])).unwrap();
    let o = Reader::new(MAX_LINE).read(&task(&path, 0, None)).unwrap();
    assert_eq!(outputs(&o), [3, 5]);
    assert_eq!(
        (o.lines, o.parsed_to, o.end),
        (
            2,
            (a.len() + b.len()) as u64,
            (a.len() + b.len() + 20) as u64
        )
    );
    let mut file = File::open(&path).unwrap();
    assert_eq!(
        o.fingerprint,
        fingerprint_before(&mut file, o.parsed_to).unwrap()
    );
    assert_eq!(o.sessions, ["s"]);
}

#[test]
fn reading_on_checks_the_bytes_before_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    std::fs::write(&path, usage("m1", 3)).unwrap();
    let first = Reader::new(MAX_LINE).read(&task(&path, 0, None)).unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(usage("m2", 7).as_bytes())
        .unwrap();
    let on = Reader::new(MAX_LINE)
        .read(&task(&path, first.parsed_to, Some(first.fingerprint)))
        .unwrap();
    assert!(!on.restarted);
    assert_eq!((outputs(&on), on.lines), (vec![7], 1));
    // Rewritten, no shorter, other bytes before the offset: read again from the start.
    std::fs::write(&path, usage("m1", 4) + &usage("m2", 7)).unwrap();
    let again = Reader::new(MAX_LINE)
        .read(&task(&path, first.parsed_to, Some(first.fingerprint)))
        .unwrap();
    assert!(again.restarted);
    assert_eq!(outputs(&again), [4, 7]);
}

#[test]
fn over_long_lines_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let long = usage("m2", 700);
    std::fs::write(
        &path,
        usage("m1", 3) + &long + &usage("m3", 5) + &long[..600],
    )
    .unwrap();
    let o = Reader::new(256).read(&task(&path, 0, None)).unwrap();
    assert_eq!(outputs(&o), [3, 5]);
    assert_eq!((o.lines, o.too_long), (3, 1));
    // The unfinished long line is where the next read starts.
    let complete = (usage("m1", 3).len() + long.len() + usage("m3", 5).len()) as u64;
    assert_eq!(o.parsed_to, complete);
    let mut file = File::open(&path).unwrap();
    assert_eq!(
        o.fingerprint,
        fingerprint_before(&mut file, o.parsed_to).unwrap()
    );
}

/// Reading a file in any number of steps, with any buffer, finds what one read finds.
#[test]
fn reading_in_steps_equals_reading_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.jsonl");
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    for round in 0..30 {
        let text: String = (0..1 + next(12))
            .map(|i| usage(&format!("m{round}-{i}"), next(300) as u32))
            .collect();
        std::fs::write(&path, &text).unwrap();
        let max_line = [64, 128, 256, MAX_LINE][next(4) as usize];
        let whole = Reader::new(max_line).read(&task(&path, 0, None)).unwrap();
        let (mut at, mut fp, mut found, mut lines, mut too_long) = (0, None, Vec::new(), 0, 0);
        let mut cut = 0;
        while cut < text.len() {
            cut = (cut + 1 + next(400) as usize).min(text.len());
            std::fs::write(&path, &text[..cut]).unwrap();
            let o = Reader::new(max_line).read(&task(&path, at, fp)).unwrap();
            assert!(!o.restarted, "round {round}");
            found.extend(outputs(&o));
            (lines, too_long) = (lines + o.lines, too_long + o.too_long);
            at = o.parsed_to;
            fp = Some(o.fingerprint);
            let mut file = File::open(&path).unwrap();
            assert_eq!(
                o.fingerprint,
                fingerprint_before(&mut file, at).unwrap(),
                "round {round}"
            );
        }
        assert_eq!(
            (found, lines, too_long),
            (outputs(&whole), whole.lines, whole.too_long),
            "round {round}"
        );
        assert_eq!(at, whole.parsed_to);
    }
}
