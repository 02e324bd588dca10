#include "domain/schedule/icalendar.hpp"

#include <cstdlib>
#include <memory>
#include <set>

#include "domain/schedule/ical_time.hpp"

namespace aimi::schedule {

namespace {

struct ComponentFree {
    void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};

icaltimetype utc(Timestamp at) {
    return icaltime_from_timet_with_zone(
        std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count(), 0,
        icaltimezone_get_utc_timezone());
}

//! A date-time property in the event's zone (TZID), or a date (VALUE=DATE).
icalproperty* zoned(icalproperty* (*make)(icaltimetype), const CalendarTime& t, const std::string& zone) {
    icalproperty* p = make(to_ical(t.at, t.is_date));
    if (!t.is_date) icalproperty_add_parameter(p, icalparameter_new_tzid(zone.c_str()));
    return p;
}

void add_text(icalcomponent* event, icalproperty* (*make)(const char*), const std::optional<std::string>& text) {
    if (text && !text->empty()) icalcomponent_add_property(event, make(text->c_str()));
}

std::optional<std::string> text_of(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->get_string());
}

icalproperty_status status_of(std::string_view status) {
    return status == "cancelled" ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED;
}

//! The zone's VTIMEZONE as libical builds it from the tz database, named by the plain IANA name.
icalcomponent* vtimezone(const std::string& zone) {
    icaltimezone* builtin = icaltimezone_get_builtin_timezone(zone.c_str());
    if (!builtin) return nullptr;
    icalcomponent* source = icaltimezone_get_component(builtin);
    if (!source) return nullptr;
    icalcomponent* copy = icalcomponent_new_clone(source);
    if (icalproperty* tzid = icalcomponent_get_first_property(copy, ICAL_TZID_PROPERTY))
        icalproperty_set_tzid(tzid, zone.c_str());
    return copy;
}

icalcomponent* base_event(const ExportedEvent& e) {
    icalcomponent* v = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(v, icalproperty_new_uid((e.id + "@aimi").c_str()));
    icalcomponent_add_property(v, icalproperty_new_dtstamp(utc(e.updated_at)));
    icalcomponent_add_property(v, icalproperty_new_created(utc(e.created_at)));
    icalcomponent_add_property(v, icalproperty_new_lastmodified(utc(e.updated_at)));
    return v;
}

}  // namespace

std::string to_icalendar(std::span<const ExportedEvent> events) {
    std::unique_ptr<icalcomponent, ComponentFree> calendar{icalcomponent_new(ICAL_VCALENDAR_COMPONENT)};
    icalcomponent* cal = calendar.get();
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//Aimi//Aimi backend//EN"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    std::set<std::string> zones;
    for (const auto& e : events)
        if (!e.timing.all_day) zones.insert(e.zone);
    for (const auto& zone : zones)
        if (icalcomponent* tz = vtimezone(zone)) icalcomponent_add_component(cal, tz);

    for (const auto& e : events) {
        const Timing& t = e.timing;
        icalcomponent* v = base_event(e);
        icalcomponent_add_property(v, zoned(icalproperty_new_dtstart, t.anchor(), e.zone));
        if (t.end) icalcomponent_add_property(v, zoned(icalproperty_new_dtend, *t.end, e.zone));
        icalcomponent_add_property(v, icalproperty_new_summary(e.title.c_str()));
        add_text(v, icalproperty_new_description, e.description);
        add_text(v, icalproperty_new_location, e.location);
        icalcomponent_add_property(v, icalproperty_new_status(status_of(t.status)));
        if (t.rrule) {
            icalcomponent_add_property(v, icalproperty_new_rrule(icalrecurrencetype_from_string(t.rrule->c_str())));
            for (const auto& at : t.exdates)
                icalcomponent_add_property(v, zoned(icalproperty_new_exdate, CalendarTime{at, t.all_day}, e.zone));
        }
        icalcomponent_add_component(cal, v);

        // Changed occurrences: same UID, RECURRENCE-ID the original start.
        std::set<LocalSeconds> changed;
        for (const auto& [at, c] : t.occurrence_changes) changed.insert(at);
        for (const auto& [at, d] : e.occurrence_details) changed.insert(at);
        for (const auto& at : changed) {
            if (t.exdates.contains(at)) continue;
            const auto change = t.occurrence_changes.contains(at) ? t.occurrence_changes.at(at) : OccurrenceChange{};
            const auto details =
                e.occurrence_details.contains(at) ? e.occurrence_details.at(at) : boost::json::object{};
            icalcomponent* o = base_event(e);
            icalcomponent_add_property(o, zoned(icalproperty_new_recurrenceid, CalendarTime{at, t.all_day}, e.zone));
            const CalendarTime start = change.start.value_or(CalendarTime{at, t.all_day});
            icalcomponent_add_property(o, zoned(icalproperty_new_dtstart, start, e.zone));
            if (change.end)
                icalcomponent_add_property(o, zoned(icalproperty_new_dtend, *change.end, e.zone));
            else if (t.end)
                icalcomponent_add_property(
                    o, zoned(icalproperty_new_dtend, CalendarTime{start.at + t.duration(), t.all_day}, e.zone));
            const auto title = text_of(details, "title").value_or(e.title);
            icalcomponent_add_property(o, icalproperty_new_summary(title.c_str()));
            add_text(o, icalproperty_new_description,
                     details.contains("description") ? text_of(details, "description") : e.description);
            add_text(o, icalproperty_new_location,
                     details.contains("location") ? text_of(details, "location") : e.location);
            icalcomponent_add_property(o, icalproperty_new_status(status_of(change.status.value_or(t.status))));
            icalcomponent_add_component(cal, o);
        }
    }
    char* text = icalcomponent_as_ical_string_r(cal);
    std::string out = text ? text : "";
    std::free(text);
    return out;
}

}  // namespace aimi::schedule
