// The Lua scripts of the recovery history (docs/recovery.md): each runs atomically on the master
// of the namespace's hash slot, so a publish and its history entry can never be separated (a
// publisher that dies either did both or neither), and every entry gets its position from one
// clock per namespace. Run by SHA with any client (clients/scripts.ts: EVALSHA, NOSCRIPT handled).
import { type Script, script } from "./clients/scripts.js";

/** The first byte of an ordered message on a channel: never the first byte of msgpack. */
export const ORDERED_MARKER = 0xc1;

/**
 * Appends to a log and publishes, or (a fence) only publishes, with one position.
 * KEYS: clock stream, epoch, log stream. ARGV: channel, payload, max entries per log, log TTL ms,
 * epoch candidate, publish command (PUBLISH | SPUBLISH), "1" to store.
 * The position is the clock stream's id: `<ms>-<n>` of the master's clock, never below the last
 * one, so a failover to a replica (which lost the newest writes) does not reuse positions.
 * The message carries the previous entry of the log too (`0-0` for none, and for fences), so that a
 * receiver can tell it missed some. Returns the position.
 */
const APPEND = `
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[5]
  redis.call('SET', KEYS[2], epoch)
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '1', '*', 'e', '')
local prev = '0-0'
if ARGV[7] == '1' then
  local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  if last[1] then prev = last[1][1] end
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], id, 'd', ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
redis.call(ARGV[6], ARGV[1], '\\193' .. epoch .. ' ' .. id .. ' ' .. prev .. ' ' .. ARGV[2])
return id
`;

/** Opens the history: the epoch (created when missing). KEYS: epoch. ARGV: candidate. */
const OPEN = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[1], epoch)
end
return epoch
`;

/**
 * Writes session records unless another node owns them. KEYS: one per record.
 * ARGV: owner, then value and TTL ms per record.
 */
const SAVE = `
for i, key in ipairs(KEYS) do
  local owner = redis.call('HGET', key, 'o')
  if (not owner) or owner == ARGV[1] then
    redis.call('HSET', key, 'o', ARGV[1], 'v', ARGV[2 * i])
    redis.call('PEXPIRE', key, ARGV[2 * i + 1])
  end
end
return #KEYS
`;

/** Deletes the records `owner` still owns. KEYS: one per record. ARGV: owner. */
const DROP = `
for _, key in ipairs(KEYS) do
  if redis.call('HGET', key, 'o') == ARGV[1] then redis.call('DEL', key) end
end
return #KEYS
`;

/**
 * Reads and claims a record (restore-once): the value is replaced by an empty one owned by the
 * claimer. KEYS: the record. ARGV: owner, TTL ms. Returns the value, or false.
 */
const CLAIM = `
local value = redis.call('HGET', KEYS[1], 'v')
if (not value) or value == '' then return false end
redis.call('HSET', KEYS[1], 'o', ARGV[1], 'v', '')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return value
`;

/** The history scripts, run by SHA (clients/scripts.ts). */
export const HISTORY_SCRIPTS: {
  readonly append: Script;
  readonly open: Script;
  readonly save: Script;
  readonly drop: Script;
  readonly claim: Script;
} = {
  append: script(APPEND),
  open: script(OPEN),
  save: script(SAVE),
  drop: script(DROP),
  claim: script(CLAIM),
};
