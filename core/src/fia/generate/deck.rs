//! Randomness beyond single draws: a deck of marked cards dealt without replacement, so a share
//! holds exactly over every hundred draws.

// The parts of one generator share its constants, types and imports: one glob of the parent.
use super::*;

/// A deck of 100 cards, `percent` of them marked, dealt without replacement and reshuffled when
/// empty: every hundred draws hold exactly `percent` marked cards, yet each single draw is marked
/// with probability `percent` %.
#[derive(Clone, Debug)]
pub(super) struct Deck {
    pub(super) cards: Vec<bool>,
    pub(super) next: usize,
}

impl Deck {
    pub(super) fn new(percent: u32) -> Deck {
        let cards: Vec<bool> = (0..100).map(|i| i < percent).collect();
        let next = cards.len();
        Deck { cards, next }
    }

    pub(super) fn draw(&mut self, rng: &mut Draw) -> bool {
        if self.next == self.cards.len() {
            // Fisher–Yates.
            for i in (1..self.cards.len()).rev() {
                let j = rng.below(i + 1);
                self.cards.swap(i, j);
            }
            self.next = 0;
        }
        self.next += 1;
        self.cards[self.next - 1]
    }
}
