//! Visits and page views as plain logic (PROTOCOL.md §1.6, §3.2–§3.3): which analytics events
//! a page view, the end of a page view, or any other reported event turns into.
//!
//! A visit lasts 30 minutes after the last page view; a page view after that (or the first one)
//! starts a new visit, announced with `VisitorVisit` first. Opening a different page ends the
//! current one with `TimeSpentOnPage` (Android's rule: title *or* url differs — iOS only ends it
//! when both differ, a known bug); an exact repeat of the current page is ignored.

use std::time::{Duration, Instant};

use cxone_chat_protocol::cxone::common::UuidString;
use cxone_chat_protocol::cxone::rest::{AnalyticsEventData, PageView, TimeSpentOnPage};

/// How long a visit lasts after its last page view.
pub(crate) const VISIT_LENGTH: Duration = Duration::from_secs(30 * 60);

#[derive(Debug, Clone)]
struct Page {
    title: String,
    url: String,
    since: Instant,
}

/// The visitor's current visit and page.
#[derive(Debug, Default)]
pub(crate) struct Visits {
    visit: Option<(UuidString, Instant)>,
    page: Option<Page>,
    /// The page the background ended, viewed again on foreground.
    paused: Option<Page>,
}

/// Events to post, all under one visit id.
#[derive(Debug, PartialEq)]
pub(crate) struct Batch {
    /// The visit they belong to.
    pub(crate) visit_id: UuidString,
    /// In order.
    pub(crate) events: Vec<AnalyticsEventData>,
}

impl Visits {
    /// The current visit, starting a new one (with its `VisitorVisit`) when there is none or it
    /// expired. `extend` renews the 30 minutes (page views do; other events do not).
    fn visit(
        &mut self,
        now: Instant,
        extend: bool,
        events: &mut Vec<AnalyticsEventData>,
    ) -> UuidString {
        let id = match &self.visit {
            Some((id, expires)) if *expires > now => id.clone(),
            _ => {
                events.push(AnalyticsEventData::VisitorVisit);
                let id = UuidString::new_v4();
                self.visit = Some((id.clone(), now + VISIT_LENGTH));
                id
            }
        };
        if extend {
            self.visit = Some((id.clone(), now + VISIT_LENGTH));
        }
        id
    }

    fn spent(page: &Page, now: Instant) -> AnalyticsEventData {
        // Android reports at least one second.
        let secs = now.saturating_duration_since(page.since).as_secs().max(1);
        AnalyticsEventData::TimeSpentOnPage(TimeSpentOnPage {
            url: page.url.clone(),
            title: page.title.clone(),
            time_spent_on_page: secs,
        })
    }

    /// `analytics.pageView`. `None` for an exact repeat of the open page.
    pub(crate) fn page_view(&mut self, title: &str, url: &str, now: Instant) -> Option<Batch> {
        if self
            .page
            .as_ref()
            .is_some_and(|p| p.title == title && p.url == url)
            && self.visit.as_ref().is_some_and(|v| v.1 > now)
        {
            return None;
        }
        let mut events = Vec::new();
        if let Some(old) = self.page.take() {
            events.push(Self::spent(&old, now));
        }
        let visit_id = self.visit(now, true, &mut events);
        events.push(AnalyticsEventData::PageView(PageView {
            title: title.to_owned(),
            url: url.to_owned(),
        }));
        self.page = Some(Page {
            title: title.to_owned(),
            url: url.to_owned(),
            since: now,
        });
        Some(Batch { visit_id, events })
    }

    /// `analytics.pageViewEnded`: `TimeSpentOnPage` when it names the open page, else nothing.
    pub(crate) fn page_view_ended(
        &mut self,
        title: &str,
        url: &str,
        now: Instant,
    ) -> Option<Batch> {
        let open = self
            .page
            .as_ref()
            .is_some_and(|p| p.title == title && p.url == url);
        if !open {
            return None;
        }
        let page = self.page.take()?;
        let mut events = Vec::new();
        let visit_id = self.visit(now, false, &mut events);
        events.push(Self::spent(&page, now));
        Some(Batch { visit_id, events })
    }

    /// The visit in progress and how long it has left, to keep across a restart.
    pub(crate) fn current(&self, now: Instant) -> Option<(UuidString, Duration)> {
        let (id, expires) = self.visit.as_ref()?;
        let left = expires
            .checked_duration_since(now)
            .filter(|l| !l.is_zero())?;
        Some((id.clone(), left))
    }

    /// Takes up a visit an earlier run left with `left` to go.
    pub(crate) fn resume(&mut self, id: UuidString, left: Duration, now: Instant) {
        if !left.is_zero() {
            self.visit = Some((id, now + left));
        }
    }

    /// Going to the background ends the open page, whatever it is, and remembers it.
    pub(crate) fn background(&mut self, now: Instant) -> Option<Batch> {
        let page = self.page.clone()?;
        self.paused = Some(page.clone());
        self.page_view_ended(&page.title, &page.url, now)
    }

    /// Coming back views the page the background ended again (the documented integration:
    /// `viewPage` on foreground), which extends the visit, or starts a new one after 30 min.
    pub(crate) fn foreground(&mut self, now: Instant) -> Option<Batch> {
        let page = self.paused.take()?;
        self.page_view(&page.title, &page.url, now)
    }

    /// Any other event (chat window opened, conversion, proactive action), in the current
    /// visit or a new one.
    pub(crate) fn event(&mut self, data: AnalyticsEventData, now: Instant) -> Batch {
        let mut events = Vec::new();
        let visit_id = self.visit(now, false, &mut events);
        events.push(data);
        Batch { visit_id, events }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_visit_goes_on_until_its_time_is_up() {
        let t0 = Instant::now();
        let id = UuidString::new_v4();
        let mut v = Visits::default();
        v.resume(id.clone(), Duration::from_secs(60), t0);
        assert_eq!(v.current(t0).map(|(i, _)| i), Some(id.clone()));
        let same = v
            .page_view("Home", "app://home", t0 + Duration::from_secs(30))
            .unwrap();
        assert_eq!(same.visit_id, id);
        assert!(!matches!(same.events[0], AnalyticsEventData::VisitorVisit));
        let mut late = Visits::default();
        late.resume(id.clone(), Duration::from_secs(60), t0);
        let new = late
            .page_view("Home", "app://home", t0 + Duration::from_secs(61))
            .unwrap();
        assert_ne!(new.visit_id, id);
        assert!(
            late.current(t0 + Duration::from_secs(61) + VISIT_LENGTH)
                .is_none()
        );
    }

    #[test]
    fn the_foreground_views_the_page_the_background_ended_in_the_same_or_a_new_visit() {
        let t0 = Instant::now();
        let mut v = Visits::default();
        let first = v.page_view("Home", "app://home", t0).unwrap();
        assert!(matches!(first.events[0], AnalyticsEventData::VisitorVisit));
        let bg = v.background(t0 + Duration::from_secs(5)).unwrap();
        assert!(
            matches!(&bg.events[..], [AnalyticsEventData::TimeSpentOnPage(t)] if t.time_spent_on_page == 5)
        );
        // Back within the visit: the same visit, the page again.
        let fg = v.foreground(t0 + Duration::from_secs(60)).unwrap();
        assert_eq!(fg.visit_id, first.visit_id);
        assert!(matches!(&fg.events[..], [AnalyticsEventData::PageView(p)] if p.title == "Home"));
        assert!(v.foreground(t0 + Duration::from_secs(61)).is_none(), "once");
        // Back after more than 30 minutes: a new visit.
        v.background(t0 + Duration::from_secs(70)).unwrap();
        let late = v
            .foreground(t0 + Duration::from_secs(70) + VISIT_LENGTH + Duration::from_secs(1))
            .unwrap();
        assert_ne!(late.visit_id, first.visit_id);
        assert!(matches!(late.events[0], AnalyticsEventData::VisitorVisit));
    }

    fn types(b: &Batch) -> Vec<&'static str> {
        b.events
            .iter()
            .map(|e| match e {
                AnalyticsEventData::VisitorVisit => "VisitorVisit",
                AnalyticsEventData::PageView(_) => "PageView",
                AnalyticsEventData::TimeSpentOnPage(_) => "TimeSpentOnPage",
                AnalyticsEventData::ChatWindowOpened => "ChatWindowOpened",
                _ => "other",
            })
            .collect()
    }

    #[test]
    fn the_first_page_view_starts_a_visit_and_the_next_page_ends_the_previous_one() {
        let t0 = Instant::now();
        let mut v = Visits::default();
        let b1 = v.page_view("Home", "app://home", t0).unwrap();
        assert_eq!(types(&b1), ["VisitorVisit", "PageView"]);
        assert!(
            v.page_view("Home", "app://home", t0 + Duration::from_secs(1))
                .is_none(),
            "a repeat is ignored"
        );
        let b2 = v
            .page_view("Cart", "app://cart", t0 + Duration::from_secs(42))
            .unwrap();
        assert_eq!(types(&b2), ["TimeSpentOnPage", "PageView"]);
        assert_eq!(b2.visit_id, b1.visit_id, "same visit");
        let AnalyticsEventData::TimeSpentOnPage(t) = &b2.events[0] else {
            panic!()
        };
        assert_eq!((t.title.as_str(), t.time_spent_on_page), ("Home", 42));
    }

    #[test]
    fn a_visit_expires_thirty_minutes_after_the_last_page_view() {
        let t0 = Instant::now();
        let mut v = Visits::default();
        let first = v.page_view("A", "a", t0).unwrap().visit_id;
        let same = v
            .page_view("B", "b", t0 + Duration::from_secs(29 * 60))
            .unwrap()
            .visit_id;
        assert_eq!(first, same, "extended by the second page view");
        let later = v
            .page_view(
                "C",
                "c",
                t0 + Duration::from_secs(29 * 60) + VISIT_LENGTH + Duration::from_secs(1),
            )
            .unwrap();
        assert_ne!(later.visit_id, first);
        assert_eq!(
            types(&later),
            ["TimeSpentOnPage", "VisitorVisit", "PageView"]
        );
    }

    #[test]
    fn ending_a_page_needs_the_open_page_and_background_ends_whatever_is_open() {
        let t0 = Instant::now();
        let mut v = Visits::default();
        assert!(v.page_view_ended("X", "x", t0).is_none());
        v.page_view("Home", "app://home", t0).unwrap();
        assert!(v.page_view_ended("Other", "app://home", t0).is_none());
        let b = v.background(t0).unwrap();
        let AnalyticsEventData::TimeSpentOnPage(t) = &b.events[0] else {
            panic!()
        };
        assert_eq!(t.time_spent_on_page, 1, "at least one second");
        assert!(v.background(t0).is_none(), "nothing open any more");
        let e = v.event(AnalyticsEventData::ChatWindowOpened, t0);
        assert_eq!(
            types(&e),
            ["ChatWindowOpened"],
            "the visit is still running"
        );
    }
}
