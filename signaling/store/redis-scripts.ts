/**
 * The Lua scripts of RedisRoomStore. Redis runs each one atomically, so a capacity
 * check and the join it allows, or a free nameplate and its taking, cannot interleave
 * with another instance's. Key layout (prefix P, default "duet:"):
 *   P r:<room>      hash  joined = 0|1, np = nameplate (if any), newest = who joined last
 *   P r:<room>:m    set   member places "<instance>:<seq>"
 *   P np:<n>        string the room id the nameplate points to
 *   P inst:<id>     string the instance's lease (PX, refreshed by its heartbeat)
 *   P i:<id>        pub/sub channel of frames for the instance's members
 * A place whose instance has no lease belongs to a dead instance: scripts drop it on
 * the way. Scripts compute the nameplate and lease keys from ARGV, so this layout needs
 * a standalone Redis (or Sentinel), not Redis Cluster.
 */

/** Shared helpers. ARGV[1] is always the key prefix. */
const HELPERS = `
local P = ARGV[1]
local function alive(member)
  local instance = string.match(member, '^([^:]+):')
  return instance ~= nil and redis.call('EXISTS', P .. 'inst:' .. instance) == 1
end
local function close_room(room_key, members_key)
  local np = redis.call('HGET', room_key, 'np')
  if np then redis.call('DEL', P .. 'np:' .. np) end
  redis.call('DEL', room_key, members_key)
end
-- Drops dead places; returns the live members and the dropped ones. An emptied room is closed.
local function purge(room_key, members_key)
  local live, dead = {}, {}
  for _, member in ipairs(redis.call('SMEMBERS', members_key)) do
    if alive(member) then table.insert(live, member) else table.insert(dead, member) end
  end
  if #dead > 0 then redis.call('SREM', members_key, unpack(dead)) end
  if #live == 0 then close_room(room_key, members_key) end
  return live, dead
end
local function keep(room_key, members_key, ttl)
  redis.call('PEXPIRE', room_key, ttl)
  redis.call('PEXPIRE', members_key, ttl)
  local np = redis.call('HGET', room_key, 'np')
  if np then redis.call('PEXPIRE', P .. 'np:' .. np, ttl) end
end
`;

/** KEYS: room, members. ARGV: prefix, member, ttl. Returns 1 created, 0 exists. */
export const CREATE_ROOM = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then
  local live = purge(KEYS[1], KEYS[2])
  if #live > 0 then return 0 end
end
redis.call('HSET', KEYS[1], 'joined', '0')
redis.call('SADD', KEYS[2], ARGV[2])
keep(KEYS[1], KEYS[2], ARGV[3])
return 1
`;

/**
 * KEYS: room, members. ARGV: prefix, member, ttl, capacity. Returns {status, peers,
 * vacated}; for room-full, peers are the occupants.
 */
export const JOIN_ROOM = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'room-not-found', {}, {}} end
local live, dead = purge(KEYS[1], KEYS[2])
if #live == 0 then return {'room-not-found', {}, {}} end
if #live >= tonumber(ARGV[4]) then return {'room-full', live, {}} end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], 'joined', '1', 'newest', ARGV[2])
keep(KEYS[1], KEYS[2], ARGV[3])
return {'ok', live, dead}
`;

/** KEYS: room, members. ARGV: prefix, member. Returns false (not a member) or {closed, peers}. */
export const LEAVE_ROOM = `${HELPERS}
if redis.call('SREM', KEYS[2], ARGV[2]) == 0 then return false end
local live = purge(KEYS[1], KEYS[2])
if #live == 0 then return {1, {}} end
return {0, live}
`;

/**
 * KEYS: members. ARGV: prefix, sender, frame. Publishes the frame to the instance of
 * every live peer (the sender's own instance included: one path, one order). Returns
 * -1 if the sender is not a member, else the number of peers whose instance got it.
 */
export const RELAY = `${HELPERS}
if redis.call('SISMEMBER', KEYS[1], ARGV[2]) == 0 then return -1 end
local peers = 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if member ~= ARGV[2] and alive(member) then
    local instance = string.match(member, '^([^:]+):')
    -- Counted only if the instance is listening: a frame for a dead one is not silently lost.
    if redis.call('PUBLISH', P .. 'i:' .. instance, member .. '\\n' .. ARGV[3]) > 0 then peers = peers + 1 end
  end
end
return peers
`;

/**
 * KEYS: room, members. ARGV: prefix, requester. Removes the member who joined last if
 * the requester is another member; returns it, or false.
 */
export const EVICT_NEWEST = `${HELPERS}
local newest = redis.call('HGET', KEYS[1], 'newest')
if not newest or newest == ARGV[2] then return false end
if redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 or redis.call('SISMEMBER', KEYS[2], newest) == 0 then return false end
redis.call('SREM', KEYS[2], newest)
redis.call('HDEL', KEYS[1], 'newest')
return newest
`;

/** KEYS: room, members. ARGV: prefix. Returns the members of the closed room, or false. */
export const EXPIRE_UNJOINED = `${HELPERS}
if redis.call('HGET', KEYS[1], 'joined') ~= '0' then return false end
local members = redis.call('SMEMBERS', KEYS[2])
close_room(KEYS[1], KEYS[2])
return members
`;

/** KEYS: room, members. ARGV: prefix, ttl. Keeps a room (and its nameplate) alive one more TTL. */
export const KEEP_ROOM = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then keep(KEYS[1], KEYS[2], ARGV[2]) end
return 1
`;

/**
 * KEYS: room. ARGV: prefix, room id, ttl, max nameplate, candidates... Returns the
 * room's nameplate: the one it has, the first free candidate, else the lowest free.
 */
export const ALLOCATE_NAMEPLATE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local current = redis.call('HGET', KEYS[1], 'np')
if current then return tonumber(current) end
local function take(n)
  if redis.call('SET', P .. 'np:' .. n, ARGV[2], 'NX', 'PX', ARGV[3]) then
    redis.call('HSET', KEYS[1], 'np', n)
    return true
  end
  return false
end
for i = 5, #ARGV do
  if take(ARGV[i]) then return tonumber(ARGV[i]) end
end
for n = 1, tonumber(ARGV[4]) do
  if take(tostring(n)) then return n end
end
return false
`;

/** KEYS: nameplate. ARGV: prefix. Frees the nameplate; returns the room it pointed to, or false. */
export const CONSUME_NAMEPLATE = `${HELPERS}
local room = redis.call('GET', KEYS[1])
if not room then return false end
redis.call('DEL', KEYS[1])
redis.call('HDEL', P .. 'r:' .. room, 'np')
return room
`;

/** KEYS: room. ARGV: prefix, room id. Frees the room's nameplate if it still points to the room. */
export const RELEASE_NAMEPLATE = `${HELPERS}
local np = redis.call('HGET', KEYS[1], 'np')
if not np then return 0 end
redis.call('HDEL', KEYS[1], 'np')
local key = P .. 'np:' .. np
if redis.call('GET', key) == ARGV[2] then redis.call('DEL', key) end
return 1
`;
