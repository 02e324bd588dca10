#pragma once

#include "gateway/gateway_context.hpp"

// One endpoint per file; routes are declared in gateway/dispatcher.cpp (make_routes).
namespace aimi::gateway::handlers {

Reply health(const Call& call);
Reply ready(const Call& call);
Reply metrics(const Call& call);
Reply openapi(const Call& call);
Reply console_page(const Call& call);
Reply console_asset(const Call& call);
Reply dev_sign_in(const Call& call);
Reply list_dead_letters(const Call& call);
Reply list_workers(const Call& call);

Reply create_user(const Call& call);
Reply get_user(const Call& call);
Reply update_user(const Call& call);
Reply erase_user(const Call& call);
Reply export_user(const Call& call);
Reply register_device(const Call& call);
Reply list_devices(const Call& call);

Reply create_chat(const Call& call);
Reply list_chats(const Call& call);
Reply get_chat(const Call& call);
Reply archive_chat(const Call& call);

Reply post_message(const Call& call);
Reply list_messages(const Call& call);
Reply recent_messages(const Call& call);

Reply list_sessions(const Call& call);
Reply end_session(const Call& call);

Reply get_batch(const Call& call);

Reply search_messages(const Call& call);

// Memory: memory.cpp.
Reply record_mental_state(const Call& call);
Reply list_mental_states(const Call& call);
Reply get_mental_state(const Call& call);
Reply list_summaries(const Call& call);
Reply get_summary(const Call& call);
Reply get_user_state(const Call& call);
Reply list_context_items(const Call& call);
Reply forget_memory_item(const Call& call);
Reply list_prompt_runs(const Call& call);
Reply search_memory(const Call& call);

// Smart notifications: notifications.cpp.
Reply create_notification(const Call& call);
Reply dismiss_notification(const Call& call);
Reply get_notification(const Call& call);
Reply list_notifications(const Call& call);

// Live updates over a WebSocket: live.cpp.
Reply open_live(const Call& call);

// The goals graph: commands in goal_commands.cpp, reads in goal_queries.cpp.
Reply create_goal(const Call& call);
Reply update_goal(const Call& call);
Reply complete_goal(const Call& call);
Reply cancel_goal(const Call& call);
Reply archive_goal(const Call& call);
Reply reopen_goal(const Call& call);
Reply add_dependency(const Call& call);
Reply update_dependency(const Call& call);
Reply remove_dependency(const Call& call);
Reply get_goal(const Call& call);
Reply list_goals(const Call& call);
Reply goal_history(const Call& call);
Reply critical_path(const Call& call);
Reply goal_plan(const Call& call);
Reply goal_bottlenecks(const Call& call);
Reply goal_graph(const Call& call);

// Calendar events: calendar_events.cpp.
Reply create_calendar_event(const Call& call);
Reply update_calendar_event(const Call& call);
Reply cancel_calendar_event(const Call& call);
Reply complete_calendar_event(const Call& call);
Reply get_calendar_event(const Call& call);
Reply list_calendar_events(const Call& call);
Reply list_occurrences(const Call& call);
Reply export_calendar(const Call& call);
Reply list_reminders(const Call& call);

// Tasks, problems, habits and links: task_and_problem.cpp.
Reply create_task(const Call& call);
Reply update_task(const Call& call);
Reply get_task(const Call& call);
Reply list_tasks(const Call& call);
Reply task_history(const Call& call);
Reply create_problem(const Call& call);
Reply update_problem(const Call& call);
Reply get_problem(const Call& call);
Reply list_problems(const Call& call);
Reply problem_history(const Call& call);
Reply create_habit(const Call& call);
Reply update_habit(const Call& call);
Reply get_habit(const Call& call);
Reply list_habits(const Call& call);
Reply add_link(const Call& call);
Reply remove_link(const Call& call);
Reply list_links(const Call& call);

// Learning tracks (docs/learning.md): tracks.cpp, chat_templates.cpp, track_sessions.cpp, agents.cpp.
Reply create_track(const Call& call);
Reply update_track(const Call& call);
Reply list_tracks(const Call& call);
Reply get_track(const Call& call);
Reply add_roadmap_item(const Call& call);
Reply update_roadmap_item(const Call& call);
Reply remove_roadmap_item(const Call& call);
Reply create_chat_template(const Call& call);
Reply publish_chat_template(const Call& call);
Reply list_chat_templates(const Call& call);
Reply get_chat_template(const Call& call);
Reply list_chat_template_versions(const Call& call);
Reply get_chat_template_version(const Call& call);
Reply render_chat_template(const Call& call);
Reply start_track_session(const Call& call);
Reply list_track_sessions(const Call& call);
Reply get_track_session(const Call& call);
Reply update_track_session(const Call& call);
Reply create_chat_thread(const Call& call);
Reply list_chat_threads(const Call& call);
Reply create_synopsis(const Call& call);
Reply list_synopses(const Call& call);
Reply get_synopsis(const Call& call);
Reply replace_synopsis_items(const Call& call);
Reply append_synopsis_items(const Call& call);
Reply agent_reply(const Call& call);
Reply get_agent_reply(const Call& call);

}  // namespace aimi::gateway::handlers
