//! CSV of any serializable records: the columns are their JSON fields, flattened.

use std::fmt;

use serde::Serialize;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::CsvWriter;
use crate::error::{Error, Result};

/// The CSV of any serializable records, for report types without a hand-made layout: the
/// columns are the JSON fields of the records (nested objects joined with `.`, in field
/// order, the union over all records), lists are compact JSON in one field, null is empty.
/// An empty list has no fields to name, so its CSV is an empty document.
pub fn flat_csv<T: Serialize>(records: &[T]) -> Result<String> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(String, String)>> = Vec::with_capacity(records.len());
    for record in records {
        let text = serde_json::to_string(record)
            .map_err(|e| Error::internal(format!("cannot write the report as JSON: {e}")))?;
        let node: Node = serde_json::from_str(&text)
            .map_err(|e| Error::internal(format!("cannot flatten the report: {e}")))?;
        let mut cells = Vec::new();
        node.flatten("", &mut cells);
        for (column, _) in &cells {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
        rows.push(cells);
    }
    if columns.is_empty() {
        return Ok(String::new());
    }
    let mut csv = CsvWriter::new(&columns);
    for cells in rows {
        let fields: Vec<String> = columns
            .iter()
            .map(|c| {
                cells
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        csv.record(&fields);
    }
    Ok(csv.finish())
}

/// JSON read back with its object keys in order (serde_json's `Value` sorts them).
enum Node {
    Null,
    /// A string, number or boolean: its text, and its JSON form (strings quoted).
    Scalar {
        text: String,
        json: String,
    },
    /// A list, kept as compact JSON.
    List(String),
    Map(Vec<(String, Node)>),
}

impl Node {
    fn plain(text: String) -> Node {
        Node::Scalar {
            json: text.clone(),
            text,
        }
    }

    pub(super) fn flatten(self, prefix: &str, out: &mut Vec<(String, String)>) {
        match self {
            Node::Map(fields) if !fields.is_empty() => {
                for (key, value) in fields {
                    let name = if prefix.is_empty() {
                        key
                    } else {
                        format!("{prefix}.{key}")
                    };
                    value.flatten(&name, out);
                }
            }
            Node::Null => out.push((prefix.to_string(), String::new())),
            Node::Scalar { text, .. } => out.push((prefix.to_string(), text)),
            other => out.push((prefix.to_string(), other.json())),
        }
    }

    /// The node as compact JSON.
    fn json(&self) -> String {
        match self {
            Node::Null => "null".into(),
            Node::Scalar { json, .. } => json.clone(),
            Node::List(json) => json.clone(),
            Node::Map(fields) => {
                let inner: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("{}:{}", serde_json::Value::from(k.as_str()), v.json()))
                    .collect();
                format!("{{{}}}", inner.join(","))
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::plain(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::plain(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::plain(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::plain(serde_json::Value::from(v).to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar {
            text: v.to_string(),
            json: serde_json::Value::from(v).to_string(),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item.json());
        }
        Ok(Node::List(format!("[{}]", items.join(","))))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            fields.push((k, v));
        }
        Ok(Node::Map(fields))
    }
}
