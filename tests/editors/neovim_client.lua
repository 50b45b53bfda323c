-- A real client test: Debian's Neovim (0.7: vim.lsp.start_client, no vim.lsp.start) with the
-- plugin from editors/neovim opens a lone .sql file (no .git, no .lockward.toml): the plugin
-- attaches, diagnostics and a hover arrive, each kind of code action is applied the way
-- vim.lsp.buf.code_action() applies it and the file is analysed again, the trace code action
-- and :LockwardTrace report progress, b:lockward_trace_status and upgraded diagnostics, and
-- Neovim's LSP log has no line from the server's stderr.
-- Run: LOCKWARD_BINARY=… LOCKWARD_SQL_FILE=… LOCKWARD_PLUGIN=editors/neovim \
--        nvim --headless --clean -u NONE -c 'luafile neovim_client.lua'
local bin = assert(os.getenv("LOCKWARD_BINARY"), "LOCKWARD_BINARY unset")
local file = assert(os.getenv("LOCKWARD_SQL_FILE"), "LOCKWARD_SQL_FILE unset")
vim.opt.runtimepath:append(assert(os.getenv("LOCKWARD_PLUGIN"), "LOCKWARD_PLUGIN unset"))
vim.cmd("filetype on")
local lockward = require("lockward")
lockward.setup({ cmd = { bin, "lsp" }, settings = { pgVersion = 15 } })

local function fail(message)
  io.stderr:write("FAIL: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local dir = vim.fn.fnamemodify(file, ":p:h")

-- The nvim-lspconfig entry (lspconfig itself is not installable here): a lone file's root is
-- its folder, single-file mode is on, the log level reaches the command.
local entry = lockward.lspconfig_config()
if entry.root_dir(file) ~= dir then fail("lspconfig root_dir of a lone file: " .. tostring(entry.root_dir(file))) end
if entry.single_file_support ~= true then fail("lspconfig entry without single_file_support") end
if table.concat(entry.cmd, " ") ~= bin .. " lsp" then fail("default command: " .. table.concat(entry.cmd, " ")) end
lockward.config.log_level = "info"
if table.concat(lockward.command(), " ") ~= bin .. " lsp --log-level info" then
  fail("log_level not passed: " .. table.concat(lockward.command(), " "))
end
lockward.config.log_level = nil

vim.cmd("edit " .. file)
local bufnr = vim.api.nvim_get_current_buf()
local client_id
vim.wait(5000, function()
  for _, c in pairs(vim.lsp.get_active_clients()) do
    if c.name == "lockward" then client_id = c.id end
  end
  return client_id ~= nil
end, 20)
if not client_id then fail("the plugin did not attach lockward on FileType sql") end
local client = vim.lsp.get_client_by_id(client_id)
if client.config.root_dir ~= dir then fail("root of a lone file: " .. tostring(client.config.root_dir)) end

local function has_diagnostic(fragment, line)
  for _, d in ipairs(vim.diagnostic.get(bufnr, line and { lnum = line } or nil)) do
    if d.message:find(fragment, 1, true) then return true end
  end
  return false
end
local function messages()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(out, (d.lnum + 1) .. ": " .. d.message) end
  return table.concat(out, "\n")
end
local function line(n) return vim.api.nvim_buf_get_lines(bufnr, n, n + 1, false)[1] end

if not vim.wait(15000, function() return has_diagnostic("SHARE on table users", 1) end, 20) then
  fail("no create-index diagnostic arrived")
end

local uri = vim.uri_from_bufnr(bufnr)
local hover = client.request_sync("textDocument/hover",
  { textDocument = { uri = uri }, position = { line = 1, character = 3 } }, 5000, bufnr)
if not hover or not hover.result or not hover.result.contents.value:find("`SHARE` on table `users`", 1, true) then
  fail("hover did not explain the lock")
end
print("neovim client: lone file attached, diagnostics and hover OK")

-- Runs the action of `kind` titled `title` at line `n`, column `col` (0-based) through
-- vim.lsp.buf.code_action, the user picking it in vim.ui.select.
local function apply(n, kind, title, col)
  vim.api.nvim_win_set_cursor(0, { n + 1, col or 0 })
  local picked, offered = false, {}
  local select = vim.ui.select
  vim.ui.select = function(items, _, on_choice)
    for _, item in ipairs(items) do
      table.insert(offered, item[2].title)
      if item[2].title == title and item[2].kind == kind then
        picked = true
        on_choice(item)
        return
      end
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action({ only = { kind } })
  vim.wait(5000, function() return #offered > 0 end, 10)
  vim.ui.select = select
  if not picked then fail(string.format("no %s action %q on line %d; offered %s", kind, title, n + 1, vim.inspect(offered))) end
end

apply(1, "quickfix", "Use CONCURRENTLY")
if not line(1):find("CREATE INDEX CONCURRENTLY", 1, true) then fail("edit not applied: " .. line(1)) end
if not vim.wait(15000, function()
  return not has_diagnostic("SHARE on table users", 1) and has_diagnostic("SHARE UPDATE EXCLUSIVE", 1)
end, 20) then
  fail("line 2 not analysed again after the fix:\n" .. messages())
end
apply(2, "source.fixAll.lockward", "Apply every safe drop-in rewrite (lockward)")
if not line(2):find("CREATE INDEX CONCURRENTLY", 1, true) then fail("fix-all not applied: " .. line(2)) end
if not vim.wait(15000, function() return has_diagnostic("SHARE UPDATE EXCLUSIVE", 2) end, 20) then
  fail("line 3 not analysed again after fix-all:\n" .. messages())
end
if not has_diagnostic("ACCESS EXCLUSIVE", 3) then fail("no add-unique diagnostic:\n" .. messages()) end
apply(3, "quickfix", "Ignore add-unique for this statement", 20)  -- on ADD CONSTRAINT
if not vim.wait(15000, function() return not has_diagnostic("ACCESS EXCLUSIVE") end, 20) then
  fail("the ignored finding is still shown:\n" .. messages())
end
print("neovim client: quickfix, source.fixAll.lockward and ignore applied and analysed again OK")

local progress = {}
vim.api.nvim_create_autocmd("User", {
  pattern = "LspProgressUpdate",
  callback = function()
    for _, p in pairs(client.messages.progress) do
      table.insert(progress, (p.title or "") .. " " .. (p.message or ""))
    end
  end,
})
local function status() return vim.b[bufnr].lockward_trace_status or "" end
local function traced(label)
  if not vim.wait(60000, function() return status():find("confirmed", 1, true) ~= nil end, 50) then
    fail(label .. " did not finish: " .. status())
  end
  if not status():find("^lockward: %d+ confirmed, 0 mismatches") then fail(label .. ": status " .. status()) end
  if not vim.wait(15000, function() return has_diagnostic("Confirmed by trace", 1) end, 50) then
    fail(label .. " did not upgrade the diagnostics:\n" .. messages())
  end
end

apply(1, "source.lockward.trace", "Trace this migration (PostgreSQL 15)")
if not vim.wait(5000, function() return status():find("tracing", 1, true) ~= nil end, 10) then
  fail("no trace status while tracing: " .. status())
end
traced("the trace code action")
local saw_statement = false
for _, p in ipairs(progress) do
  if p:find("statement %d+ of %d+") then saw_statement = true end
end
if not saw_statement then fail("no trace progress: " .. vim.inspect(progress)) end
print("neovim client: trace code action with progress OK (" .. status() .. ")")

vim.api.nvim_buf_set_var(bufnr, "lockward_trace_status", "")
vim.cmd("LockwardTrace")
traced(":LockwardTrace")
print("neovim client: :LockwardTrace OK")

client.stop()
vim.wait(3000, function() return client.is_stopped() end, 20)
-- Neovim logs whatever a server writes to stderr as an error; lockward writes nothing there
-- unless asked to.
local log = io.open(vim.lsp.get_log_path(), "r")
if log then
  local text = log:read("*a")
  log:close()
  if text:find("stderr", 1, true) then fail("server stderr in Neovim's LSP log:\n" .. text) end
end
print("neovim client: nothing from the server in Neovim's LSP log OK")
vim.cmd("qall!")
