//! `samestory dedup` on the real binary: golden outputs, the fixture cases, determinism, and
//! input handling.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use proptest::prelude::*;
use serde_json::Value;

use crate::util::{assert_golden, fixture, fixture_arg, json_lines, run, stderr, stdout, write};

fn dedup(args: &[&str]) -> (i32, String, String) {
    let mut full = vec!["dedup", "-q"];
    full.extend_from_slice(args);
    let o = run(&full, None);
    (o.status.code().unwrap_or(-1), stdout(&o), stderr(&o))
}

/// Group of each id, from JSON Lines output.
fn groups_of(out: &str) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for v in json_lines(out) {
        if v["type"] == "group" {
            for member in v["members"].as_array().unwrap() {
                let id = member["id"].as_str().unwrap().to_string();
                assert!(m.insert(id.clone(), v["group"].as_u64().unwrap()).is_none(), "{id} twice");
            }
        }
    }
    m
}

#[test]
fn golden_outputs() {
    for corpus in ["wire", "events", "sample"] {
        let (code, out, err) = dedup(&[&fixture_arg(&format!("corpus/{corpus}.jsonl"))]);
        assert_eq!(code, 0, "{err}");
        assert_golden(&format!("{corpus}.dedup.jsonl"), &out);
    }
}

#[test]
fn wire_copy_new_headline_and_boilerplate_variant_join_the_original() {
    let (code, out, _) = dedup(&[&fixture_arg("corpus/wire.jsonl")]);
    assert_eq!(code, 0);
    let g = groups_of(&out);
    let original = g["nato22-original"];
    for copy in ["nato22-wire-copy", "nato22-new-headline", "nato22-boilerplate-only"] {
        assert_eq!(g[copy], original, "{copy} should be grouped with the original");
    }
    let first = &json_lines(&out)[0];
    assert_eq!(first["representative"], "nato22-original", "earliest, then longest");
    assert_eq!(first["members"][0]["similarity"], 1.0);
}

#[test]
fn keep_earliest_compares_the_time_of_day() {
    // The evening copy is longer, which wins only between copies of the same moment.
    let body = "Defence ministers of the alliance met in Brussels on Wednesday to discuss air \
                defence for Ukraine after a wave of missile strikes on power stations and water \
                works across the country, officials said, and pledged more systems.";
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        serde_json::json!({"id": "evening", "text": format!("{body} More followed."), "published": "2023-05-01T20:00:00Z"}),
        serde_json::json!({"id": "morning", "text": body, "published": "2023-05-01T10:00:00+02:00"}),
    ];
    let p = write(dir.path(), "t.jsonl", format!("{}\n{}\n", lines[0], lines[1]));
    let (code, out, err) = dedup(&[p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let first = &json_lines(&out)[0];
    assert_eq!(first["members"].as_array().unwrap().len(), 2, "{first}");
    assert_eq!(first["representative"], "morning", "{first}");
}

#[test]
fn numeric_ids_are_written_as_they_were_given() {
    // Through u64 or f64 the first two would round to one another's neighbours, 1.50 would
    // lose its zero and 1 and 1.0 would be one id twice.
    let ids = [
        "123456789012345678901234567890",
        "123456789012345678901234567891",
        "1.50",
        "1e3",
        "1",
        "1.0",
        "-7",
    ];
    let dir = tempfile::tempdir().unwrap();
    let topics = ["harbour", "election", "final", "bonds", "rocket", "exhibition", "cheese"];
    let lines: String = ids
        .iter()
        .zip(topics)
        .map(|(id, t)| format!("{{\"id\": {id}, \"text\": \"A report on the {t} today.\"}}\n"))
        .collect();
    let p = write(dir.path(), "n.jsonl", lines);
    let p = p.to_str().unwrap();
    let want: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
    let (code, out, err) = dedup(&[p]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(groups_of(&out).into_keys().collect::<BTreeSet<_>>(), want);
    let (code, out, err) = dedup(&[p, "--format", "tsv"]);
    assert_eq!(code, 0, "{err}");
    let tsv_ids = |out: &str| -> BTreeSet<String> {
        out.lines().map(|l| l.split('\t').next().unwrap().to_string()).collect()
    };
    assert_eq!(tsv_ids(&out), want);
    for format in ["jsonl", "tsv"] {
        let o = run(&["cluster", "-q", p, "--format", format], None);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        let got: BTreeSet<String> = if format == "tsv" {
            tsv_ids(&out)
        } else {
            json_lines(&out)
                .iter()
                .filter(|v| v["type"] == "cluster")
                .flat_map(|v| v["members"].as_array().unwrap().clone())
                .map(|m| m["id"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(got, want, "cluster --format {format}");
    }
}

#[test]
fn same_topic_different_event_is_not_grouped() {
    // The two seed articles: NATO defence ministers in Brussels, October 2022 and February 2023.
    let (code, out, _) = dedup(&[&fixture_arg("corpus/events.jsonl"), "--threshold", "0.2"]);
    assert_eq!(code, 0);
    let g = groups_of(&out);
    assert_ne!(g["nato22-air-defence"], g["nato23-ministers"]);
}

#[test]
fn boilerplate_is_dropped_unless_kept() {
    let sample = fixture_arg("corpus/sample.jsonl");
    let summary = |out: &str| json_lines(out).into_iter().find(|v| v["type"] == "summary").unwrap();
    let (_, out, _) = dedup(&[&sample]);
    assert!(summary(&out)["boilerplate_dropped"].as_u64().unwrap() > 0);
    let (_, out, _) = dedup(&[&sample, "--keep-boilerplate"]);
    assert_eq!(summary(&out)["boilerplate_dropped"], 0);
}

#[test]
fn a_wire_story_in_short_paragraphs_stays_one_group_while_furniture_is_dropped() {
    // Each short paragraph of the wire story recurs in its four copies, as often as a line must
    // to count as boilerplate in a small corpus; but the paragraphs are most of each copy.
    let paras = [
        "Defence ministers from across the alliance met in Brussels on Thursday to discuss Ukraine.",
        "The secretary general said allies had agreed to increase production of artillery shells.",
        "Several ministers called for faster deliveries of air defence systems before winter.",
        "Officials said a decision on new fighter jets was not expected at this meeting.",
        "The ministers will meet again in June ahead of the leaders' summit in Vilnius.",
    ];
    let promo = "Follow us on WhatsApp for breaking news";
    let others = [
        "Heavy rain flooded streets in the city centre of Valencia on Monday, officials said, and \
         firefighters rescued dozens of residents from cars trapped in the rising water overnight.",
        "The central bank left interest rates unchanged on Wednesday and said inflation was \
         falling faster than expected, sending the currency to a three month low against the dollar.",
        "A magnitude 6.1 earthquake struck off the coast of Hokkaido early on Friday, the \
         meteorological agency said, with no tsunami warning issued and no damage reported yet.",
    ];
    let mut input = String::new();
    for i in 0..4 {
        // Copies differ by their last paragraph, as syndicated copies cut to length do.
        let text = paras[..4 + i % 2].join("\n");
        let rec = serde_json::json!({"id": format!("wire{i}"), "title": "NATO ministers meet", "text": text});
        input.push_str(&format!("{rec}\n"));
    }
    for (i, t) in others.iter().enumerate() {
        let rec = serde_json::json!({"id": format!("other{i}"), "text": format!("{t}\n{promo}")});
        input.push_str(&format!("{rec}\n"));
    }
    let o = run(&["dedup", "-q", "-"], Some(input.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let g = groups_of(&out);
    for i in 1..4 {
        assert_eq!(g[&format!("wire{i}")], g["wire0"], "wire{i} is a copy of wire0:\n{out}");
    }
    let distinct: BTreeSet<u64> = (0..3).map(|i| g[&format!("other{i}")]).collect();
    assert_eq!(distinct.len(), 3, "{out}");
    assert!(!distinct.contains(&g["wire0"]));
    let summary = json_lines(&out).into_iter().find(|v| v["type"] == "summary").unwrap();
    assert_eq!(summary["boilerplate_dropped"], 3, "the promotion, once in each other story");
}

#[test]
fn pages_holding_only_a_paywall_notice_are_compared_by_headline() {
    // An outlet's notice recurs on every page whose body failed to load; it is furniture, so
    // these different stories are not one group for sharing it.
    let notice = "Subscribe to continue reading.\nAlready a subscriber? Log in.";
    let titles = [
        "Central bank holds rates as inflation cools",
        "Floods close schools across the Valencia region",
        "Earthquake shakes northern Japan, no tsunami warning",
    ];
    let input: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!("{}\n", serde_json::json!({"id": format!("p{i}"), "title": t, "text": notice}))
        })
        .collect();
    let o = run(&["dedup", "-q", "-"], Some(input.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let g = groups_of(&stdout(&o));
    let distinct: BTreeSet<u64> = g.values().copied().collect();
    assert_eq!(distinct.len(), 3, "{}", stdout(&o));
}

#[test]
fn tsv_lists_every_article_once() {
    let (code, out, _) = dedup(&[&fixture_arg("corpus/sample.jsonl"), "--format", "tsv"]);
    assert_eq!(code, 0);
    let ids: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    let input = std::fs::read_to_string(fixture("corpus/sample.jsonl")).unwrap();
    assert_eq!(ids.len(), input.lines().count());
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn stdin_compressed_inputs_and_thread_counts_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(fixture("corpus/sample.jsonl")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&raw).unwrap();
    let gz_path = write(dir.path(), "sample.dat", gz.finish().unwrap());
    let zst_path = write(dir.path(), "sample.jsonl.zst", zstd::encode_all(&raw[..], 3).unwrap());
    let plain = fixture_arg("corpus/sample.jsonl");
    let reference = dedup(&[&plain, "-j", "1"]).1;
    assert_eq!(dedup(&[&plain, "-j", "2"]).1, reference);
    assert_eq!(dedup(&[gz_path.to_str().unwrap()]).1, reference);
    assert_eq!(dedup(&[zst_path.to_str().unwrap()]).1, reference);
    let o = run(&["dedup", "-q", "-"], Some(&raw));
    assert_eq!(stdout(&o), reference);
}

#[test]
fn input_order_does_not_change_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("corpus/sample.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (a, b) = lines.split_at(lines.len() / 2);
    let rev: Vec<&str> = lines.iter().rev().copied().collect();
    let pa = write(dir.path(), "a.jsonl", a.join("\n"));
    let pb = write(dir.path(), "b.jsonl", b.join("\n"));
    let pr = write(dir.path(), "r.jsonl", rev.join("\n"));
    let reference = dedup(&[&fixture_arg("corpus/sample.jsonl")]).1;
    // Default ids of records come from file names, but every record here has an id.
    assert_eq!(dedup(&[pa.to_str().unwrap(), pb.to_str().unwrap()]).1, reference);
    assert_eq!(dedup(&[pb.to_str().unwrap(), pa.to_str().unwrap()]).1, reference);
    assert_eq!(dedup(&[pr.to_str().unwrap()]).1, reference);
}

#[test]
fn emit_unique_keeps_representative_records_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let unique = dir.path().join("unique.jsonl");
    let pairs = dir.path().join("pairs.tsv");
    let (code, out, _) = dedup(&[
        &fixture_arg("corpus/wire.jsonl"),
        "--emit-unique",
        unique.to_str().unwrap(),
        "--emit-pairs",
        pairs.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let kept = std::fs::read_to_string(&unique).unwrap();
    let input = std::fs::read_to_string(fixture("corpus/wire.jsonl")).unwrap();
    let groups = json_lines(&out).iter().filter(|v| v["type"] == "group").count();
    assert_eq!(kept.lines().count(), groups);
    for line in kept.lines() {
        assert!(input.lines().any(|l| l == line), "record changed: {line}");
    }
    let pairs = std::fs::read_to_string(&pairs).unwrap();
    assert!(pairs.lines().count() >= 3);
    for l in pairs.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        assert_eq!(f.len(), 3);
        assert!(f[0] < f[1]);
        assert!(f[2].parse::<f64>().unwrap() >= 0.5);
    }
}

#[test]
fn text_directories_are_read_one_article_per_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("nested")).unwrap();
    let seed = std::fs::read_to_string(fixture("corpus/events.jsonl")).unwrap();
    let first: Value = serde_json::from_str(seed.lines().next().unwrap()).unwrap();
    let body = first["text"].as_str().unwrap();
    write(dir.path(), "a.txt", format!("Headline one\n{body}"));
    write(&dir.path().join("nested"), "b.txt", format!("Another headline\n{body}\nAdvertisement"));
    write(dir.path(), "ignored.md", "not an article");
    let (code, out, err) = dedup(&[dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let g = groups_of(&out);
    assert_eq!(g.len(), 2);
    assert_eq!(g["a.txt"], g["nested/b.txt"]);
}

#[test]
fn upper_case_txt_files_are_articles_and_skipped_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", format!("NATO meets\n{}", crate::util::NATO));
    write(dir.path(), "B.TXT", format!("Tokyo stocks\n{}", crate::util::TOKYO));
    write(dir.path(), "notes.md", "not an article");
    let o = run(&["dedup", "--format", "tsv", dir.path().to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "B.TXT\t0\na.txt\t1\n");
    let err = stderr(&o);
    assert!(err.contains("1 file skipped, not .txt articles: notes.md"), "{err}");
    // --quiet asks for errors only.
    let (code, _, err) = dedup(&[dir.path().to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (0, ""));
}

#[test]
fn compressed_txt_files_are_decompressed_by_their_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let nato = format!("NATO meets\n{}", crate::util::NATO);
    let tokyo = format!("Tokyo stocks\n{}", crate::util::TOKYO);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(nato.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    write(dir.path(), "a.txt", &nato);
    write(dir.path(), "b.txt.gz", &gz);
    write(dir.path(), "c.txt.zst", zstd::encode_all(nato.as_bytes(), 1).unwrap());
    // Named plain, written compressed: the bytes decide, as for JSON Lines.
    write(dir.path(), "d.txt", zstd::encode_all(tokyo.as_bytes(), 1).unwrap());
    let unique = dir.path().join("unique.jsonl");
    let (code, out, err) = dedup(&[
        "--format",
        "tsv",
        dir.path().to_str().unwrap(),
        "--emit-unique",
        unique.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "a.txt\t0\nb.txt.gz\t0\nc.txt.zst\t0\nd.txt\t1\n");
    let kept = json_lines(&std::fs::read_to_string(&unique).unwrap());
    assert_eq!(kept[1]["title"], "Tokyo stocks");
}

#[test]
fn a_byte_order_mark_is_skipped_in_every_kind_of_input() {
    let dir = tempfile::tempdir().unwrap();
    let bom = "\u{feff}";
    let record = "{\"id\":\"a1\",\"text\":\"hi there\"}\n";
    let o = run(&["dedup", "-q", "-"], Some(format!("{bom}{record}").as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(groups_of(&stdout(&o)).contains_key("a1"));
    // `cat a.jsonl b.jsonl`, each with its mark: the second opens a line mid-stream.
    let second = "{\"id\":\"b1\",\"text\":\"other words\"}\n";
    let o = run(&["dedup", "-q", "-"], Some(format!("{bom}{record}{bom}{second}").as_bytes()));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ids: Vec<String> = groups_of(&stdout(&o)).into_keys().collect();
    assert_eq!(ids, ["a1", "b1"]);

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(format!("{bom}{record}").as_bytes()).unwrap();
    let gz_path = write(dir.path(), "bom.jsonl.gz", gz.finish().unwrap());
    let (code, out, err) = dedup(&[gz_path.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(groups_of(&out).contains_key("a1"));

    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    write(&texts, "a.txt", format!("{bom}BOM title\nsome body words"));
    let unique = dir.path().join("unique.jsonl");
    let (code, _, err) =
        dedup(&[texts.to_str().unwrap(), "--emit-unique", unique.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let kept = json_lines(&std::fs::read_to_string(&unique).unwrap());
    assert_eq!(kept[0]["title"], "BOM title");
}

#[cfg(unix)]
#[test]
fn named_pipes_and_dev_stdin_are_spooled_like_standard_input() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(fixture("corpus/sample.jsonl")).unwrap();
    let reference = dedup(&[&fixture_arg("corpus/sample.jsonl")]).1;
    let o = run(&["dedup", "-q", "/dev/stdin"], Some(&raw));
    assert_eq!(stdout(&o), reference, "{}", stderr(&o));

    let fifo = dir.path().join("ff");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // The writer opens the pipe again and again, writing the corpus the first time only: a
    // reader that opens its input twice gets an empty second read (and fails) instead of
    // waiting forever.
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (fifo, raw, done) = (fifo.clone(), raw.clone(), done.clone());
        std::thread::spawn(move || {
            std::fs::write(&fifo, &raw).unwrap();
            while !done.load(Ordering::SeqCst) {
                std::fs::write(&fifo, b"").unwrap();
                // Room for the reader to see no writer, its end of input.
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        })
    };
    let o = run(&["dedup", "-q", fifo.to_str().unwrap()], None);
    done.store(true, Ordering::SeqCst);
    // Held open for reading (read-write, so opening it does not wait for a writer) until the
    // writer stops: no open of the writer's can then wait forever.
    let unblock = std::fs::OpenOptions::new().read(true).write(true).open(&fifo).unwrap();
    writer.join().unwrap();
    drop(unblock);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), reference);
}

#[test]
fn rejections_in_a_directory_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("dir");
    std::fs::create_dir(&texts).unwrap();
    write(&texts, "a.txt", "Fine headline\nfine words");
    write(&texts, "bad.txt", b"Headline\nfine line\ncaf\xe9\n");
    let o = run(&["dedup", "-q", "--skip-invalid", texts.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let bad = texts.join("bad.txt").display().to_string();
    assert!(err.contains(&format!("{bad}:3: record: invalid UTF-8 at byte 4")), "{err}");
    let recs = json_lines(&stdout(&o));
    let rejected: Vec<&Value> = recs.iter().filter(|v| v["type"] == "rejected").collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["input"], bad.as_str());
    assert_eq!(rejected[0]["line"], 3);

    let (d1, d2) = (dir.path().join("d1"), dir.path().join("d2"));
    for d in [&d1, &d2] {
        std::fs::create_dir(d).unwrap();
        write(d, "story.txt", "Same name\nother words");
    }
    let (code, _, err) = dedup(&[d1.to_str().unwrap(), d2.to_str().unwrap()]);
    assert_eq!(code, 2);
    let (first, again) = (d1.join("story.txt"), d2.join("story.txt"));
    let (first, again) = (first.display(), again.display());
    let expect = format!("{again}:1: id: duplicate id \"story.txt\" (first at {first}:1)");
    assert!(err.contains(&expect), "{err}");
}

#[test]
fn a_chain_of_gradual_edits_does_not_become_one_group() {
    // Each version rewrites a new stretch of the previous one: neighbours are near-duplicates,
    // versions far apart are not, and connected components would glue all of them together.
    let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
    let mut lines = String::new();
    for v in 0..8 {
        let mut text = words.clone();
        for (i, w) in text.iter_mut().enumerate().take(50 * v) {
            *w = format!("v{}x{i}", i / 50);
        }
        lines.push_str(
            &serde_json::json!({"id": format!("v{v}"), "text": text.join(" ")}).to_string(),
        );
        lines.push('\n');
    }
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "chain.jsonl", lines);
    let (code, out, _) = dedup(&[p.to_str().unwrap(), "--threshold", "0.6", "--verify", "exact"]);
    assert_eq!(code, 0);
    let g = groups_of(&out);
    assert_ne!(g["v0"], g["v7"]);
    let distinct: BTreeSet<u64> = g.values().copied().collect();
    assert!(distinct.len() >= 3, "{g:?}");
}

fn bad_input_case(name: &str, content: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), name, content);
    let path = p.to_str().unwrap();
    let (code, out, err) = dedup(&[path]);
    assert_eq!(code, 2, "{name}: {err}");
    assert!(out.is_empty(), "{name}: nothing written before the error");
    assert!(err.contains(&format!("{name}:")) && err.contains(expect), "{name}: {err}");
}

#[test]
fn bad_input_stops_with_file_line_and_field() {
    let good = "{\"id\":\"ok\",\"text\":\"fine words here\"}\n";
    bad_input_case(
        "json.jsonl",
        format!("{good}{{\"id\":\"x\",\"text\":\n").as_bytes(),
        ":2: record: invalid JSON",
    );
    bad_input_case(
        "utf8.jsonl",
        b"{\"id\":\"x\",\"text\":\"caf\xe9\"}\n",
        ":1: record: invalid UTF-8",
    );
    bad_input_case(
        "missing.jsonl",
        format!("{good}{{\"id\":\"y\"}}\n").as_bytes(),
        ":2: text: missing",
    );
    bad_input_case(
        "type.jsonl",
        b"{\"id\":\"y\",\"text\":[\"a\"]}\n",
        ":1: text: expected a string, found an array",
    );
    bad_input_case("dups.jsonl", format!("{good}{good}").as_bytes(), ":2: id: duplicate id \"ok\"");
    bad_input_case("empty.jsonl", b"", "empty.jsonl: no articles");
    bad_input_case(
        "date.jsonl",
        b"{\"id\":\"d\",\"text\":\"t\",\"published\":\"March\"}\n",
        ":1: published:",
    );
}

#[test]
fn unsupported_compression_is_named_not_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "c.jsonl", "{\"id\":\"a\",\"text\":\"some words\"}\n");
    for (tool, ext, format) in [("xz", "xz", "xz"), ("bzip2", "bz2", "bzip2")] {
        match std::process::Command::new(tool).arg("-k").arg(&p).status() {
            Ok(s) if s.success() => {}
            _ => {
                eprintln!("{tool} not found: skipped");
                continue;
            }
        }
        let packed = dir.path().join(format!("c.jsonl.{ext}"));
        let (code, _, err) = dedup(&[packed.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        let expect = format!("c.jsonl.{ext}: {format} compression is not supported");
        assert!(err.contains(&expect) && err.contains("gzip and zstd"), "{err}");
    }
    // A zip archive's local file header, as `zip` writes it.
    let zip = write(dir.path(), "c.zip", b"PK\x03\x04\x14\x00\x00\x00\x08\x00");
    let (code, _, err) = dedup(&[zip.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("c.zip: zip compression is not supported"), "{err}");
}

#[test]
fn skip_invalid_reports_rejections_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "mixed.jsonl",
        "{\"id\":\"a\",\"text\":\"one two three\"}\nnot json\n{\"id\":\"a\",\"text\":\"dup\"}\n{\"id\":\"b\",\"text\":\"x\"}\n{\"id\":\"a\",\"text\":\"again\"}\n",
    );
    let o = run(&["dedup", p.to_str().unwrap(), "--skip-invalid"], None);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("mixed.jsonl:2: record: invalid JSON"), "{err}");
    assert!(err.contains("mixed.jsonl:3: id: duplicate id"), "{err}");
    // Each repeat points at the record that was kept, not at the repeat before it.
    let fifth = err.lines().find(|l| l.contains("mixed.jsonl:5: id: duplicate id")).unwrap_or("");
    assert!(fifth.contains("mixed.jsonl:1)"), "{err}");
    assert!(err.contains("3 rejected"), "{err}");
    let recs = json_lines(&stdout(&o));
    let rejected: Vec<&Value> = recs.iter().filter(|v| v["type"] == "rejected").collect();
    assert_eq!(rejected.len(), 3);
    assert_eq!(rejected[0]["line"], 2);
    assert_eq!(groups_of(&stdout(&o)).len(), 2);
}

#[test]
fn closed_pipes_end_quietly() {
    use std::process::Stdio;
    let wire = fixture_arg("corpus/wire.jsonl");
    for cmd in ["dedup", "cluster"] {
        // stdout closed before anything is written (`| head` gone): exit 0, not a word more.
        let mut child = crate::util::bin()
            .args([cmd, &wire])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{cmd}: {}", stderr(&o));

        // stderr closed: progress and the stats line have no reader, and the data is still
        // written in full.
        let full = run(&[cmd, "-q", &wire], None);
        let mut child = crate::util::bin()
            .args([cmd, &wire, "--progress", "always", "-v"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take());
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{cmd} with stderr closed");
        assert_eq!(o.stdout, full.stdout, "{cmd} with stderr closed");
    }
}

#[test]
fn contradictory_flags_are_refused_naming_both() {
    let wire = fixture_arg("corpus/wire.jsonl");
    for (args, flags) in [
        (vec!["dedup", &wire, "-q", "-v"], ["--quiet", "--verbose"]),
        (vec!["cluster", &wire, "--progress", "always", "-q"], ["--quiet", "--progress always"]),
        (
            vec!["dedup", &wire, "--keep-boilerplate", "--boilerplate-min-articles", "2"],
            ["--keep-boilerplate", "--boilerplate-min-articles"],
        ),
    ] {
        let o = run(&args, None);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(flags.iter().all(|f| err.contains(f)), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn bad_flags_exit_2() {
    let (code, _, err) = dedup(&[&fixture_arg("corpus/wire.jsonl"), "--threshold", "1.5"]);
    assert_eq!(code, 2);
    assert!(err.contains("--threshold"), "{err}");
    let (code, _, err) = dedup(&["/nonexistent/corpus.jsonl"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/corpus.jsonl"), "{err}");
    // The reason is said once, not once per level of the error chain.
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

/// A small random corpus: some originals, copies with a few words changed, and bad lines.
fn corpus_strategy() -> impl Strategy<Value = Vec<(u8, u16, u8)>> {
    // (kind, source article, edit seed): kind 0 = original, 1 = copy of an earlier one,
    // 2 = bad line.
    prop::collection::vec((0u8..3, any::<u16>(), any::<u8>()), 1..40)
}

fn render(spec: &[(u8, u16, u8)]) -> (String, usize) {
    let mut out = String::new();
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut articles = 0;
    for (i, &(kind, src, edit)) in spec.iter().enumerate() {
        match kind {
            2 => out.push_str("{\"id\": broken\n"),
            1 if !texts.is_empty() => {
                let mut t = texts[src as usize % texts.len()].clone();
                let n = t.len();
                for k in 0..(edit as usize % 6) {
                    t[(k * 37 + edit as usize) % n] = format!("edit{k}");
                }
                out.push_str(
                    &serde_json::json!({"id": format!("d{i}"), "text": t.join(" ")}).to_string(),
                );
                out.push('\n');
                texts.push(t);
                articles += 1;
            }
            _ => {
                let t: Vec<String> =
                    (0..120).map(|w| format!("t{src}w{}", (w * 7 + edit as usize) % 97)).collect();
                out.push_str(
                    &serde_json::json!({"id": format!("d{i}"), "text": t.join(" ")}).to_string(),
                );
                out.push('\n');
                texts.push(t);
                articles += 1;
            }
        }
    }
    (out, articles)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Every input line is either a member of exactly one group or a rejected record, and the
    /// memberships do not depend on the thread count.
    #[test]
    fn every_article_is_accounted_for_exactly_once(spec in corpus_strategy()) {
        let (text, articles) = render(&spec);
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "c.jsonl", &text);
        let path = p.to_str().unwrap();
        let o = run(&["dedup", "-q", "--skip-invalid", "-j", "1", path], None);
        let out = stdout(&o);
        let recs = json_lines(&out);
        let members = groups_of(&out);
        let rejected = recs.iter().filter(|v| v["type"] == "rejected").count();
        prop_assert_eq!(members.len(), articles);
        prop_assert_eq!(members.len() + rejected, text.lines().count());
        prop_assert_eq!(o.status.code(), Some(if rejected > 0 { 1 } else { 0 }));
        let o2 = run(&["dedup", "-q", "--skip-invalid", "-j", "2", path], None);
        prop_assert_eq!(stdout(&o2), out);
    }
}

#[test]
fn a_corrupt_text_article_is_rejected_under_skip_invalid_and_fatal_without() {
    let out = crate::util::corrupt_text_article_is_rejected("dedup");
    // Every readable article is in exactly one group.
    assert_eq!(grouped_ids(&out), ["a.txt", "b.txt", "c.txt"], "{out}");
}

/// The ids of every group's members in JSON Lines output, sorted, repeats kept.
fn grouped_ids(out: &str) -> Vec<String> {
    let mut ids: Vec<String> = json_lines(out)
        .iter()
        .filter(|v| v["type"] == "group")
        .flat_map(|v| v["members"].as_array().unwrap())
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn a_broken_compressed_stream_keeps_the_articles_before_the_break() {
    for out in crate::util::corrupt_jsonl_gz_is_rejected("dedup") {
        assert_eq!(grouped_ids(&out), ["a", "b", "c"], "{out}");
    }
}
