//! The demo's narrative and its JSON report: every expected outcome with
//! what was observed and a pass mark.

use serde::Serialize;

/// One expected outcome.
#[derive(Debug, Serialize)]
pub(crate) struct Outcome {
    /// Stable identifier (`admission.gbr.translations`).
    pub(crate) id: String,
    /// What the scenario expects.
    pub(crate) expected: String,
    /// What happened.
    pub(crate) observed: String,
    /// Whether it happened as expected.
    pub(crate) pass: bool,
}

/// One step of the scenario.
#[derive(Debug, Serialize)]
pub(crate) struct Step {
    /// Title.
    pub(crate) title: String,
    /// What was done, for people.
    pub(crate) narrative: Vec<String>,
    /// What was checked.
    pub(crate) outcomes: Vec<Outcome>,
}

/// The whole run.
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    /// The seed every key was derived from.
    pub(crate) seed: u64,
    /// The steps in order.
    pub(crate) steps: Vec<Step>,
    /// Number of outcomes that passed.
    pub(crate) passed: usize,
    /// Number of outcomes that failed.
    pub(crate) failed: usize,
    /// Files written, relative to the output directory.
    pub(crate) files: Vec<String>,
    #[serde(skip)]
    quiet: bool,
}

impl Report {
    /// An empty report; `quiet` suppresses the narrative on stdout.
    pub(crate) fn new(seed: u64, quiet: bool) -> Self {
        Self {
            seed,
            steps: Vec::new(),
            passed: 0,
            failed: 0,
            files: Vec::new(),
            quiet,
        }
    }

    /// Starts a step.
    pub(crate) fn step(&mut self, title: &str) {
        if !self.quiet {
            println!("\n== {title}");
        }
        self.steps.push(Step {
            title: title.to_owned(),
            narrative: Vec::new(),
            outcomes: Vec::new(),
        });
    }

    /// Tells what was done.
    pub(crate) fn say(&mut self, line: impl Into<String>) {
        let line = line.into();
        if !self.quiet {
            println!("   {line}");
        }
        if let Some(step) = self.steps.last_mut() {
            step.narrative.push(line);
        }
    }

    /// Records an expected outcome.
    pub(crate) fn check(
        &mut self,
        id: &str,
        expected: impl Into<String>,
        observed: impl Into<String>,
        pass: bool,
    ) {
        let (expected, observed) = (expected.into(), observed.into());
        if pass {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        if !self.quiet {
            let mark = if pass { "PASS" } else { "FAIL" };
            println!("   [{mark}] {id}: {observed}");
            if !pass {
                println!("          expected: {expected}");
            }
        }
        if let Some(step) = self.steps.last_mut() {
            step.outcomes.push(Outcome {
                id: id.to_owned(),
                expected,
                observed,
                pass,
            });
        }
    }

    /// Records a file written to the output directory.
    pub(crate) fn file(&mut self, relative: &str) {
        self.files.push(relative.to_owned());
    }
}
