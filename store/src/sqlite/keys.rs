//! A store bound to its keys on SQLite: the `key_fingerprints` table (migration 5) and the check
//! [`Store::bind_keys`](crate::Store::bind_keys) runs before the shells write anything.

use bistand_core::Text;
use bistand_core::identifier::PseudonymKey;

use super::SqliteStore;
use crate::error::{Error, ErrorKind, Result};
use crate::sealing::now_ms;

/// See [`Store::bind_keys`](crate::Store::bind_keys).
pub(super) fn bind_keys(store: &SqliteStore, pseudonym: &PseudonymKey) -> Result<()> {
    let keyring = store.keyring();
    let context = "could not check the store's keys";
    let db = |e| Error::database(context, e);
    // One IMMEDIATE transaction: the check and the recording see the same state, and a refusal
    // rolls back having written nothing.
    store.write(context, |tx| {
        let recorded: Vec<(String, String, String)> = tx
            .prepare_cached("SELECT role, key_id, fingerprint FROM key_fingerprints")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(db)?;
        for (role, id, fingerprint) in &recorded {
            if role == "pseudonym" {
                if *fingerprint != pseudonym.fingerprint() {
                    return Err(wrong_pseudonym_key(id, pseudonym.key_id()));
                }
            } else if let Some(key) = keyring.get(id)
                && key.fingerprint() != *fingerprint
            {
                return Err(wrong_data_key(id));
            }
        }
        let used: Vec<String> = tx
            .prepare_cached("SELECT DISTINCT key_id FROM records")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(db)?;
        if let Some(missing) = used.iter().find(|id| keyring.get(id).is_none()) {
            return Err(missing_data_key(missing));
        }
        let now = now_ms();
        let mut insert = tx
            .prepare_cached(
                "INSERT INTO key_fingerprints (role, key_id, fingerprint, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (role, key_id) DO NOTHING",
            )
            .map_err(db)?;
        // Only the first pseudonym key is ever recorded: pseudonyms do not rotate, and a second
        // one would split every client in two.
        if !recorded.iter().any(|(role, ..)| role == "pseudonym") {
            insert
                .execute(rusqlite::params![
                    "pseudonym",
                    pseudonym.key_id(),
                    pseudonym.fingerprint(),
                    now
                ])
                .map_err(db)?;
        }
        for key in keyring.keys() {
            insert
                .execute(rusqlite::params!["data", key.id(), key.fingerprint(), now])
                .map_err(db)?;
        }
        Ok(())
    })
}

fn wrong_pseudonym_key(recorded: &str, given: &str) -> Error {
    Error::with_text(
        ErrorKind::WrongKeys,
        Text {
            sv: format!(
                "nyckelfilen hör inte till detta lager: dess pseudonymnyckel `{given}` är inte \
                 nyckeln `{recorded}` som lagret skrevs med; inget skrevs. Använd lagrets egen \
                 nyckelfil"
            ),
            en: format!(
                "the keys file does not belong to this store: its pseudonym key `{given}` is not \
                 the key `{recorded}` the store was written with; nothing was written. Use the \
                 store's own keys file"
            ),
        },
    )
}

fn wrong_data_key(id: &str) -> Error {
    Error::with_text(
        ErrorKind::WrongKeys,
        Text {
            sv: format!(
                "nyckelfilen hör inte till detta lager: datanyckeln `{id}` har en annan hemlighet \
                 än nyckeln `{id}` som lagret skrevs med; inget skrevs. Använd lagrets egen \
                 nyckelfil"
            ),
            en: format!(
                "the keys file does not belong to this store: data key `{id}` has another secret \
                 than the key `{id}` the store was written with; nothing was written. Use the \
                 store's own keys file"
            ),
        },
    )
}

fn missing_data_key(id: &str) -> Error {
    Error::with_text(
        ErrorKind::WrongKeys,
        Text {
            sv: format!(
                "nyckelfilen saknar datanyckeln `{id}` som poster i lagret är krypterade med; \
                 inget skrevs. Behåll gamla datanycklar i filen tills `bistand store reseal` är klar"
            ),
            en: format!(
                "the keys file lacks data key `{id}`, which records in the store are sealed with; \
                 nothing was written. Keep old data keys in the file until `bistand store reseal` \
                 has finished"
            ),
        },
    )
}
