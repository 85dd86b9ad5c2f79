//! Runs every `sh` block of docs/cli.md, in order, against the fake, so the guide's examples
//! cannot drift from the tool.
//!
//! The blocks use a small part of shell, and this runner refuses anything else: `export
//! NAME=VALUE`, `NAME=VALUE costledger …`, `printf '%s\n' KEY | costledger …`, quotes, `$NAME`,
//! and `"$(costledger …)"` as an exported value. A trailing `# exit N` comment is the expected
//! exit code (0 otherwise). Each `sk-ant-admin01-…` placeholder takes the next admin key of:
//! organisations 1, 2 and 3 of the fake, organisation 1 again (the key refused as an
//! argument), then a second key of organisation 1 (the rotation).

use std::collections::{HashMap, VecDeque};

use crate::common::World;

struct Runner {
    world: World,
    env: HashMap<String, String>,
    keys: VecDeque<String>,
    ran: usize,
}

impl Runner {
    fn value_of(&self, name: &str) -> String {
        match self.env.get(name) {
            Some(v) => v.clone(),
            None if name == "COSTLEDGER_MASTER_KEY" => self.world.master_key.clone(),
            None => panic!("${name} is not set by an earlier `export`"),
        }
    }

    fn next_key(&mut self) -> String {
        self.keys.pop_front().expect("a placeholder too many")
    }

    /// Expand `$NAME`, and the key placeholder (alone or after `NAME=`), in a word.
    fn expand(&mut self, word: &str) -> String {
        if let Some(name) = word.strip_suffix("sk-ant-admin01-…") {
            return format!("{name}{}", self.next_key());
        }
        match word.strip_prefix('$') {
            Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                self.value_of(name)
            }
            _ => {
                assert!(!word.contains('$'), "unsupported expansion in {word:?}");
                word.to_string()
            }
        }
    }

    /// Split a command line into words: single quotes are literal, double quotes expand.
    fn words(&mut self, line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut chars = line.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c == ' ' {
                chars.next();
                continue;
            }
            let mut word = String::new();
            let mut raw = true;
            while let Some(&c) = chars.peek() {
                match c {
                    ' ' => break,
                    '\'' | '"' => {
                        chars.next();
                        let quoted: String = chars.by_ref().take_while(|&q| q != c).collect();
                        if c == '"' && quoted.starts_with('$') {
                            word.push_str(&self.expand(&quoted));
                        } else {
                            word.push_str(&quoted);
                        }
                        raw = false;
                    }
                    _ => {
                        word.push(c);
                        chars.next();
                    }
                }
            }
            words.push(if raw { self.expand(&word) } else { word });
        }
        words
    }

    /// Run `costledger ARGS` with one-off variables and standard input; check the exit code.
    fn run(
        &mut self,
        words: &[String],
        vars: &[(String, String)],
        stdin: Option<String>,
        exit: i32,
        line: &str,
    ) -> String {
        assert_eq!(
            words.first().map(String::as_str),
            Some("costledger"),
            "{line}"
        );
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let mut cmd = self.world.cmd(&args);
        cmd.envs(&self.env);
        cmd.envs(vars.iter().cloned());
        if let Some(input) = stdin {
            cmd.write_stdin(input);
        }
        let out = self.world.output(&mut cmd);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(
            out.status.code(),
            Some(exit),
            "docs/cli.md: `{line}`\nstdout:\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.ran += 1;
        stdout
    }

    fn line(&mut self, line: &str) {
        let (line, comment) = match line.split_once(" #") {
            Some((l, c)) => (l.trim(), c.trim()),
            None => (line.trim(), ""),
        };
        let exit = comment
            .strip_prefix("exit ")
            .map(|rest| rest.split(':').next().unwrap().trim().parse().unwrap())
            .unwrap_or(0);
        if let Some(assignment) = line.strip_prefix("export ") {
            let (name, value) = assignment.split_once('=').expect("export NAME=VALUE");
            let value = match value
                .strip_prefix("\"$(")
                .and_then(|v| v.strip_suffix(")\""))
            {
                Some(inner) => {
                    let words = self.words(inner);
                    self.run(&words, &[], None, 0, line).trim().to_string()
                }
                None => self.words(value).concat(),
            };
            self.env.insert(name.to_string(), value);
            return;
        }
        let (stdin, command) = match line.split_once(" | ") {
            Some((producer, command)) => {
                let words = self.words(producer);
                assert_eq!(
                    words[..2],
                    ["printf", "%s\\n"],
                    "only printf feeds a pipe: {line}"
                );
                (Some(format!("{}\n", words[2])), command)
            }
            None => (None, line),
        };
        let mut words = self.words(command);
        let mut vars = Vec::new();
        while words[0] != "costledger" {
            let (name, value) = words[0]
                .split_once('=')
                .expect("NAME=VALUE before the command");
            vars.push((name.to_string(), value.to_string()));
            words.remove(0);
        }
        self.run(&words, &vars, stdin, exit, line);
    }
}

#[test]
fn every_sh_block_of_docs_cli_md_runs() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cli.md"))
        .expect("docs/cli.md");
    let mut world = World::new(3, 90);
    let org = world.fake.orgs()[0].id.clone();
    let rotated = world.fake.server().add_admin_key(&org);
    world.secret(&rotated);
    let mut keys: VecDeque<String> = (0..3).map(|i| world.key(i)).collect();
    keys.push_back(world.key(0));
    keys.push_back(rotated);
    let mut runner = Runner {
        world,
        env: HashMap::new(),
        keys,
        ran: 0,
    };
    let mut in_sh = false;
    for line in text.lines() {
        match line.trim_end() {
            "```sh" => in_sh = true,
            "```" if in_sh => in_sh = false,
            l if in_sh && !l.trim().is_empty() && !l.trim_start().starts_with('#') => {
                runner.line(l)
            }
            _ => {}
        }
    }
    assert!(runner.ran >= 50, "only {} commands ran", runner.ran);
    assert!(
        runner.keys.is_empty(),
        "unused keys: the placeholders changed"
    );
}
