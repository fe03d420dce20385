//! The DASH-IF content-steering server's answer (`GET /steering` on any location).

use std::sync::Mutex;

/// The steering document served, changeable at run time.
#[derive(Debug)]
pub(crate) struct Steering {
    document: Mutex<serde_json::Value>,
}

impl Steering {
    /// The default answer: every location, in order, re-asked every 10 s.
    pub(crate) fn new(ids: &[String]) -> Steering {
        Steering {
            document: Mutex::new(serde_json::json!({
                "VERSION": 1,
                "TTL": 10,
                "SERVICE-LOCATION-PRIORITY": ids,
            })),
        }
    }

    /// Answer `document` from now on.
    pub(crate) fn set(&self, document: serde_json::Value) {
        *self.document.lock().unwrap_or_else(|e| e.into_inner()) = document;
    }

    /// The current answer, as JSON bytes.
    pub(crate) fn body(&self) -> Vec<u8> {
        serde_json::to_vec(&*self.document.lock().unwrap_or_else(|e| e.into_inner())).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_answer_lists_every_location_in_order() {
        let steering = Steering::new(&["a".into(), "b".into()]);
        let body: serde_json::Value = serde_json::from_slice(&steering.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"VERSION": 1, "TTL": 10, "SERVICE-LOCATION-PRIORITY": ["a", "b"]})
        );
        steering.set(serde_json::json!({"VERSION": 1, "TTL": 5, "SERVICE-LOCATION-PRIORITY": ["b"]}));
        assert!(String::from_utf8(steering.body()).unwrap().contains(r#"["b"]"#));
    }
}
