//! Legacy plugins (`PLUGIN` content other than the inactivity popup) as the local API types
//! them: the element tree node by node, each node's kind named, so that a host can render menus,
//! galleries and surveys that neither mobile SDK renders any more.

use cxone_chat_protocol::cxone::content::{PluginContent, PluginElement as CxElement};
use cxone_chat_protocol::rpc::types::{Plugin, PluginElement, PluginElementKind};

/// The plugin's typed tree.
pub(crate) fn plugin(p: &PluginContent) -> Plugin {
    let elements: Vec<_> = p.payload().elements.iter().map(element).collect();
    Plugin {
        kind: elements
            .first()
            .map_or(PluginElementKind::Other, |e| e.kind),
        fallback_text: p.fallback_text().map(str::to_owned),
        elements,
    }
}

fn element(e: &CxElement) -> PluginElement {
    PluginElement {
        kind: kind(&e.element_type),
        element_type: e.element_type.clone(),
        id: e.id.clone(),
        text: e.text.clone(),
        postback: e.postback.clone().filter(|p| !p.is_empty()),
        deep_link: e.postback.as_deref().and_then(deep_link),
        url: e.url.clone(),
        file_name: e.file_name.clone(),
        mime_type: e.mime_type.clone(),
        variables: e.variables.clone(),
        elements: e.elements.iter().map(element).collect(),
    }
}

/// The kind of a wire element type (the SDKs that typed plugins matched them in capitals).
fn kind(element_type: &str) -> PluginElementKind {
    use PluginElementKind as K;
    match element_type.to_ascii_uppercase().as_str() {
        "MENU" => K::Menu,
        "GALLERY" => K::Gallery,
        "TEXT_AND_BUTTONS" => K::TextAndButtons,
        "QUICK_REPLIES" => K::QuickReplies,
        "SATISFACTION_SURVEY" => K::SatisfactionSurvey,
        "CUSTOM" => K::Custom,
        "TITLE" => K::Title,
        "TEXT" => K::Text,
        "BUTTON" => K::Button,
        "IFRAME_BUTTON" => K::IframeButton,
        "FILE" => K::File,
        "COUNTDOWN" => K::Countdown,
        _ => K::Other,
    }
}

/// The target of a deep-link button, whose postback the back end writes as JSON with single
/// quotes: `{'type':'deepLink','deepLink':'fb://profile/33138223345'}`.
fn deep_link(postback: &str) -> Option<String> {
    let trimmed = postback.trim();
    if !trimmed.starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(trimmed)
        .or_else(|_| serde_json::from_str(&trimmed.replace('\'', "\"")))
        .ok()?;
    if value["type"] != "deepLink" {
        return None;
    }
    value["deepLink"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxone_chat_protocol::cxone::content::MessageContent as CxContent;

    fn fixture(name: &str) -> CxContent {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/cxone/fixtures/ios")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let message: serde_json::Value = serde_json::from_str(&text).unwrap();
        CxContent::from_value(message["messageContent"].clone()).unwrap()
    }

    fn typed(name: &str) -> Plugin {
        match fixture(name) {
            CxContent::Plugin(p) => plugin(&p),
            other => panic!("{name}: not a plugin: {other:?}"),
        }
    }

    #[test]
    fn a_menu_is_a_card_of_a_file_a_title_a_text_and_buttons() {
        let menu = typed("MessageTypePluginMenu.json");
        assert_eq!(menu.kind, PluginElementKind::Menu);
        let card = &menu.elements[0];
        let kinds: Vec<_> = card.elements.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds[..4],
            [
                PluginElementKind::File,
                PluginElementKind::Title,
                PluginElementKind::Text,
                PluginElementKind::Button
            ]
        );
        let file = &card.elements[0];
        assert_eq!(file.url.as_deref(), Some("https://picsum.photos/300/150"));
        assert_eq!(
            file.file_name.as_deref(),
            Some("photo.jpg"),
            "the legacy `filename` key"
        );
        assert_eq!(
            card.elements[3].postback.as_deref(),
            Some("click-on-button-1")
        );
    }

    #[test]
    fn surveys_custom_plugins_quick_replies_and_deep_links_keep_what_a_host_needs() {
        let survey = typed("MessageTypePluginSatisfactionSurvey.json");
        assert_eq!(survey.kind, PluginElementKind::SatisfactionSurvey);
        let open = &survey.elements[0].elements[1];
        assert_eq!(open.kind, PluginElementKind::IframeButton);
        assert_eq!(open.url.as_deref(), Some("http://example.com/1/2/3"));

        let custom = typed("MessageTypePluginCustom.json");
        assert_eq!(custom.kind, PluginElementKind::Custom);
        assert_eq!(
            custom.elements[0].variables.as_ref().unwrap()["color"],
            "green"
        );

        let replies = typed("MessageTypePluginQuickReplies.json");
        assert_eq!(replies.kind, PluginElementKind::QuickReplies);
        assert_eq!(replies.elements[0].elements.len(), 4);

        let link = typed("MessageTypePluginDeeplink.json");
        assert_eq!(link.kind, PluginElementKind::Button);
        assert_eq!(
            link.elements[0].deep_link.as_deref(),
            Some("fb://profile/33138223345")
        );
    }

    #[test]
    fn unknown_kinds_are_named_and_plain_postbacks_are_no_deep_links() {
        assert_eq!(kind("ADAPTIVE_CARD"), PluginElementKind::Other);
        assert_eq!(kind("gallery"), PluginElementKind::Gallery);
        assert_eq!(deep_link("click-on-button-1"), None);
        assert_eq!(deep_link("{\"type\":\"other\"}"), None);
        assert_eq!(
            deep_link("{\"type\":\"deepLink\",\"deepLink\":\"app://x\"}").as_deref(),
            Some("app://x")
        );
    }
}
