//! The welcome message's template (PROTOCOL.md §3.9.6): `{{key}}` or `{{key|fallback}}` with
//! keys `customer.firstName`, `customer.lastName`, `customer.fullName`,
//! `customer.customFields.<ident>`, `contact.customFields.<ident>`; a `{{fallbackMessage|text}}`
//! placeholder gives the whole text to use when any other placeholder stays unresolved.

use std::collections::BTreeMap;

/// What placeholders can refer to.
#[derive(Debug, Default)]
pub(crate) struct Values<'a> {
    /// First name.
    pub(crate) first_name: Option<&'a str>,
    /// Last name.
    pub(crate) last_name: Option<&'a str>,
    /// Customer custom fields by ident.
    pub(crate) customer_fields: BTreeMap<&'a str, &'a str>,
    /// Contact custom fields by ident.
    pub(crate) contact_fields: BTreeMap<&'a str, &'a str>,
}

impl Values<'_> {
    fn lookup(&self, key: &str) -> Option<String> {
        let non_empty = |s: Option<&str>| s.filter(|v| !v.trim().is_empty()).map(str::to_owned);
        match key {
            "customer.firstName" => non_empty(self.first_name),
            "customer.lastName" => non_empty(self.last_name),
            "customer.fullName" => {
                let full = [self.first_name, self.last_name]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                non_empty(Some(full.trim()))
            }
            k => {
                if let Some(ident) = k.strip_prefix("customer.customFields.") {
                    non_empty(self.customer_fields.get(ident).copied())
                } else if let Some(ident) = k.strip_prefix("contact.customFields.") {
                    non_empty(self.contact_fields.get(ident).copied())
                } else {
                    None
                }
            }
        }
    }
}

/// The text to show for `template`.
pub(crate) fn render(template: &str, values: &Values<'_>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut fallback_message = None;
    let mut unresolved = false;
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + 2 + len];
        let (key, fallback) = match inner.split_once('|') {
            Some((k, f)) => (k.trim(), Some(f)),
            None => (inner.trim(), None),
        };
        if key == "fallbackMessage" {
            fallback_message = fallback.map(str::to_owned);
        } else {
            match values.lookup(key).or_else(|| fallback.map(str::to_owned)) {
                Some(v) => out.push_str(&v),
                None => unresolved = true,
            }
        }
        rest = &rest[start + 2 + len + 2..];
    }
    out.push_str(rest);
    match (unresolved, fallback_message) {
        (true, Some(f)) => f,
        _ => out.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_values_then_fallbacks() {
        let mut v = Values {
            first_name: Some("Ada"),
            ..Values::default()
        };
        v.customer_fields.insert("discountValue", "10%");
        let t = "Dear {{customer.firstName|customer}}, we offer {{customer.customFields.discountValue|5%}}.";
        assert_eq!(render(t, &v), "Dear Ada, we offer 10%.");
        assert_eq!(render(t, &Values::default()), "Dear customer, we offer 5%.");
    }

    #[test]
    fn an_unresolved_placeholder_switches_to_the_fallback_message() {
        let t = "{{fallbackMessage|Hello!}}Hi {{customer.lastName}}, welcome";
        assert_eq!(render(t, &Values::default()), "Hello!");
        let v = Values {
            last_name: Some("Lovelace"),
            ..Values::default()
        };
        assert_eq!(render(t, &v), "Hi Lovelace, welcome");
        assert_eq!(render("no placeholders", &v), "no placeholders");
        assert_eq!(
            render("broken {{customer.firstName", &v),
            "broken {{customer.firstName"
        );
        let full = Values {
            first_name: Some("Ada"),
            last_name: Some("Lovelace"),
            ..Values::default()
        };
        assert_eq!(render("{{customer.fullName}}", &full), "Ada Lovelace");
    }
}
