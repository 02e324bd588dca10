-- wrk script for bench/run.sh: POST /v1/chats/<chat>/messages as many distinct users.
-- Usage: wrk -t T -c C -d20s --latency -s bench/wrk/post_message.lua http://127.0.0.1:PORT -- USERS_FILE T
-- USERS_FILE has one "<chat_id> <bearer token>" line per user (registered, chat created).
-- Thread i takes users i, i+T, i+2T, ... and rotates over its share request by request, so with
-- as many users as connections each user is mostly in flight once at a time (no hot user).
-- Bodies carry no client_msg_id or Idempotency-Key: every request is a new message. 201 is the
-- expected answer (applied); wrk counts non-2xx itself, and done() prints how many were 202 (the
-- projection did not apply the write within AIMI_COMMAND_WAIT_TIMEOUT_MS).

local counter = 0
local threads = {}

function setup(thread)
   thread:set("index", counter)
   counter = counter + 1
   table.insert(threads, thread)
end

local mine = {}
local next_user = 1
local sent = 0

function init(args)
   local file, nthreads = args[1], tonumber(args[2] or "1")
   if file == nil then error("pass the users file (and the thread count) after --") end
   local all = {}
   for line in io.lines(file) do
      local chat, token = line:match("^(%S+)%s+(%S+)$")
      if chat then table.insert(all, { chat = chat, token = token }) end
   end
   if #all == 0 then error("no users in " .. file) end
   for i, user in ipairs(all) do
      if (i - 1) % nthreads == index % nthreads then table.insert(mine, user) end
   end
   if #mine == 0 then mine = all end
end

function request()
   local user = mine[next_user]
   next_user = next_user % #mine + 1
   sent = sent + 1
   local body = '{"content":"wrk benchmark message ' .. index .. '-' .. sent .. ': run 5k on Sunday"}'
   return wrk.format("POST", "/v1/chats/" .. user.chat .. "/messages", {
      ["Authorization"] = "Bearer " .. user.token,
      ["Content-Type"] = "application/json",
   }, body)
end

accepted = 0
created = 0

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status == 202 then
      accepted = accepted + 1
   end
end

function done(summary, latency, requests)
   local c, a = 0, 0
   for _, thread in ipairs(threads) do
      c = c + thread:get("created")
      a = a + thread:get("accepted")
   end
   io.write(string.format("Status 201: %d, status 202: %d\n", c, a))
end
