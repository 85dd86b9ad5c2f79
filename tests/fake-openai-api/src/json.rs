//! A small ordered JSON writer: objects keep the field order of the spec's examples, and
//! money goes out as an exact decimal number, which `serde_json::Value` could not do.

/// A JSON object being written, fields in insertion order.
pub struct Obj(String);

impl Obj {
    /// `{`
    pub fn new() -> Obj {
        Obj(String::from("{"))
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    /// A field whose value is already JSON (a number, an object, an array).
    pub fn raw(mut self, key: &str, json: &str) -> Obj {
        self.key(key);
        self.0.push_str(json);
        self
    }

    /// An unsigned integer field.
    pub fn num(self, key: &str, v: u64) -> Obj {
        self.raw(key, &v.to_string())
    }

    /// A string field, or `null`.
    pub fn str(self, key: &str, v: Option<&str>) -> Obj {
        let json = v.map_or_else(|| "null".to_string(), string);
        self.raw(key, &json)
    }

    /// A boolean field, or `null`.
    pub fn bool(self, key: &str, v: Option<bool>) -> Obj {
        let json = v.map_or("null", |b| if b { "true" } else { "false" });
        self.raw(key, json)
    }

    /// An integer field, or `null`.
    pub fn opt_num(self, key: &str, v: Option<i64>) -> Obj {
        let json = v.map_or_else(|| "null".to_string(), |n| n.to_string());
        self.raw(key, &json)
    }

    /// `}`
    pub fn done(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// `[a,b,c]` from JSON values.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    format!("[{}]", items.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_ordered_valid_json() {
        let s = Obj::new()
            .str("object", Some("bucket"))
            .num("n", 3)
            .str("none", None)
            .bool("b", Some(false))
            .raw("value", "0.06")
            .raw("list", &array(["1".to_string(), "2".to_string()]))
            .done();
        assert_eq!(
            s,
            r#"{"object":"bucket","n":3,"none":null,"b":false,"value":0.06,"list":[1,2]}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&s).is_ok());
        assert_eq!(string("a\"b"), r#""a\"b""#);
    }
}
