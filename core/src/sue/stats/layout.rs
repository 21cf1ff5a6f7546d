//! Where each SUE counter lives in a stratum's vector, and the sums that hold between them
//! (disclosure control's partitions).

// The parts of the SUE statistics share their types and imports: one glob of the parent.
use super::*;

/// Where each counter lives in a stratum's vector.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    pub(super) areas: usize,
    pub(super) types: usize,
    pub(super) outcomes: usize,
    pub(super) goals: usize,
    pub(super) change_codes: usize,
    pub(super) satisfaction: usize,
    pub(super) helped: usize,
    pub(super) clients: usize,
    pub(super) need: usize,
    pub(super) need_by_group: usize,
    pub(super) intervention: usize,
    pub(super) intervention_group: usize,
    pub(super) activated: usize,
    pub(super) with_intervention: usize,
    pub(super) no_intervention: usize,
    pub(super) outcome: usize,
    pub(super) outcome_base: usize,
    pub(super) work: usize,
    pub(super) outcome_by_group: usize,
    pub(super) outcome_by_group_base: usize,
    pub(super) goal: usize,
    pub(super) goal_base: usize,
    pub(super) change: usize,
    pub(super) change_base: usize,
    pub(super) satisfaction_at: usize,
    pub(super) satisfaction_base: usize,
    pub(super) satisfied: usize,
    pub(super) helped_at: usize,
    pub(super) helped_base: usize,
    pub(super) satisfaction_by_goal: usize,
    pub(super) satisfaction_by_goal_base: usize,
    pub(super) long_term: usize,
    pub(super) long_term_base: usize,
    pub(super) long_term_rolling: usize,
    pub(super) very_long_term: usize,
    pub(super) very_long_term_base: usize,
    pub(super) reopened: usize,
    pub(super) reopen_base: usize,
    pub(super) register_work: usize,
    pub(super) register_work_base: usize,
    pub(super) register_assistance: usize,
    pub(super) register_assistance_base: usize,
    pub(super) breakdowns: Vec<Breakdown>,
    /// Per needs profile: clients, then one slot per standardised measure.
    pub(super) profile: usize,
    /// Per activation combination: without sanction, with sanction, with exemption, clients.
    pub(super) combination: usize,
    /// Per item of `choices::CODED`: first slot and number of codes (the base follows them).
    pub(super) coded: Vec<(usize, usize)>,
    /// Per item of `choices::YES_NO`: the yes count, then the base.
    pub(super) yes_no: Vec<usize>,
    /// The crude count of each standardised measure.
    pub(super) crude: [usize; standardised::MEASURES.len()],
    /// The slots of `collected`'s tables.
    pub(super) collected: collected::Slots,
    pub(super) slots: usize,
    /// The slots of each family of counters that `count_record` computes apart, so that a
    /// report selecting none of their tables skips computing them.
    pub(super) families: Families,
}

/// The slot ranges of the counter families computed apart (see [`Layout::families`]).
#[derive(Clone, Debug, Default)]
pub(super) struct Families {
    pub(super) profiles: std::ops::Range<usize>,
    pub(super) choices: std::ops::Range<usize>,
    pub(super) breakdowns: std::ops::Range<usize>,
    pub(super) collected: std::ops::Range<usize>,
}

impl Layout {
    /// The crude count slot of standardised measure `m`.
    pub(super) fn crude(&self, m: usize) -> usize {
        self.crude[m]
    }

    pub(super) fn new(schema: &SueSchema) -> Layout {
        let (a, t, o, g, c, s, h) = (
            schema.areas.len(),
            schema.intervention_types.len(),
            schema.outcomes.len(),
            schema.goals.len(),
            schema.change_codes.len(),
            schema.satisfaction_codes.len(),
            schema.helped_codes.len(),
        );
        let groups = INTERVENTION_GROUPS.len();
        let mut next = 0;
        let mut take = |n: usize| {
            let at = next;
            next += n;
            at
        };
        let mut layout = Layout {
            areas: a,
            types: t,
            outcomes: o,
            goals: g,
            change_codes: c,
            satisfaction: s,
            helped: h,
            clients: take(1),
            need: take(a),
            need_by_group: take(a * (groups + 1)),
            intervention: take(t),
            intervention_group: take(groups),
            activated: take(1),
            with_intervention: take(1),
            no_intervention: take(1),
            outcome: take(o),
            outcome_base: take(1),
            work: take(1),
            outcome_by_group: take(groups * o),
            outcome_by_group_base: take(groups),
            goal: take(g),
            goal_base: take(1),
            change: take(a * c),
            change_base: take(a),
            satisfaction_at: take(s),
            satisfaction_base: take(1),
            satisfied: take(1),
            helped_at: take(h),
            helped_base: take(1),
            satisfaction_by_goal: take(g * s),
            satisfaction_by_goal_base: take(g),
            long_term: take(1),
            long_term_base: take(1),
            long_term_rolling: take(1),
            very_long_term: take(1),
            very_long_term_base: take(1),
            reopened: take(REOPEN_WINDOWS.len()),
            reopen_base: take(REOPEN_WINDOWS.len()),
            register_work: take(1),
            register_work_base: take(1),
            register_assistance: take(1),
            register_assistance_base: take(1),
            breakdowns: Vec::new(),
            profile: take(standardised::PROFILES.len() * standardised::PER_PROFILE),
            crude: [0; standardised::MEASURES.len()],
            combination: take(choices::COMBINATIONS.len() * choices::PER_COMBINATION),
            coded: schema
                .coded
                .iter()
                .map(|(_, codes)| (take(codes.len() + 1), codes.len()))
                .collect(),
            yes_no: (0..choices::YES_NO.len()).map(|_| take(2)).collect(),
            collected: collected::Slots::new(schema, 0).0,
            slots: 0,
            families: Families::default(),
        };
        let choices_end = next;
        layout.crude = [
            layout.activated,
            layout.intervention_group + JOB,
            layout.intervention_group + RESOURCE,
            layout.intervention + schema.sanction,
            layout.intervention + schema.exemption,
        ];
        let breakdowns_start = next;
        let (breakdowns, next) = Breakdown::all(schema, next);
        layout.breakdowns = breakdowns;
        let collected_start = next;
        let (collected, next) = collected::Slots::new(schema, next);
        layout.collected = collected;
        layout.slots = next;
        let profiles_end =
            layout.profile + standardised::PROFILES.len() * standardised::PER_PROFILE;
        debug_assert_eq!(profiles_end, layout.combination, "profiles, then choices");
        layout.families = Families {
            profiles: layout.profile..profiles_end,
            choices: layout.combination..choices_end,
            breakdowns: breakdowns_start..collected_start,
            collected: collected_start..next,
        };
        layout
    }

    pub(super) fn partitions(&self, schema: &SueSchema) -> Vec<Partition> {
        let range = |start: usize, n: usize| (start..start + n).collect::<Vec<_>>();
        let mut out = vec![
            Partition {
                total: self.clients,
                parts: vec![self.with_intervention, self.no_intervention],
            },
            Partition {
                total: self.outcome_base,
                parts: range(self.outcome, self.outcomes),
            },
            Partition {
                total: self.work,
                parts: schema
                    .work_outcomes
                    .iter()
                    .map(|&w| self.outcome + w)
                    .collect(),
            },
            Partition {
                total: self.goal_base,
                parts: range(self.goal, self.goals),
            },
            Partition {
                total: self.satisfaction_base,
                parts: range(self.satisfaction_at, self.satisfaction),
            },
            Partition {
                total: self.satisfied,
                parts: schema
                    .satisfied
                    .iter()
                    .map(|&s| self.satisfaction_at + s)
                    .collect(),
            },
            Partition {
                total: self.helped_base,
                parts: range(self.helped_at, self.helped),
            },
        ];
        for group in 0..INTERVENTION_GROUPS.len() {
            out.push(Partition {
                total: self.outcome_by_group_base + group,
                parts: range(self.outcome_by_group + group * self.outcomes, self.outcomes),
            });
        }
        for breakdown in &self.breakdowns {
            out.push(breakdown.partition(self.clients));
        }
        out.extend(choices::partitions(self));
        out.extend(collected::partitions(self));
        out.push(Partition {
            total: self.clients,
            parts: (0..standardised::PROFILES.len())
                .map(|k| self.profile + k * standardised::PER_PROFILE)
                .collect(),
        });
        for area in 0..self.areas {
            out.push(Partition {
                total: self.change_base + area,
                parts: range(self.change + area * self.change_codes, self.change_codes),
            });
        }
        for goal in 0..self.goals {
            out.push(Partition {
                total: self.satisfaction_by_goal_base + goal,
                parts: range(
                    self.satisfaction_by_goal + goal * self.satisfaction,
                    self.satisfaction,
                ),
            });
        }
        out
    }
}
