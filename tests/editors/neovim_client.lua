-- A real client test: Debian's Neovim (0.7: vim.lsp.start_client, no vim.lsp.start) with the
-- plugin from editors/neovim opens a .sql file, receives diagnostics, a hover and a code
-- action work, and :LockwardTrace upgrades the diagnostics.
-- Run: LOCKWARD_BINARY=… LOCKWARD_SQL_FILE=… LOCKWARD_PLUGIN=editors/neovim \
--        nvim --headless --clean -u NONE -c 'luafile neovim_client.lua'
local bin = assert(os.getenv("LOCKWARD_BINARY"), "LOCKWARD_BINARY unset")
local file = assert(os.getenv("LOCKWARD_SQL_FILE"), "LOCKWARD_SQL_FILE unset")
vim.opt.runtimepath:append(assert(os.getenv("LOCKWARD_PLUGIN"), "LOCKWARD_PLUGIN unset"))
vim.cmd("filetype on")
require("lockward").setup({ cmd = { bin, "lsp" }, use_lspconfig = false, settings = { pgVersion = 15 } })

local function fail(message)
  io.stderr:write("FAIL: " .. message .. "\n")
  vim.cmd("cquit 1")
end

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

local function has_diagnostic(fragment)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.message:find(fragment, 1, true) then return true end
  end
  return false
end

if not vim.wait(15000, function() return has_diagnostic("SHARE on table users") end, 20) then
  fail("no create-index diagnostic arrived")
end

local client = vim.lsp.get_client_by_id(client_id)
local uri = vim.uri_from_bufnr(bufnr)
local hover = client.request_sync("textDocument/hover",
  { textDocument = { uri = uri }, position = { line = 1, character = 3 } }, 5000, bufnr)
if not hover or not hover.result or not hover.result.contents.value:find("`SHARE` on table `users`", 1, true) then
  fail("hover did not explain the lock")
end

local actions = client.request_sync("textDocument/codeAction", {
  textDocument = { uri = uri },
  range = { start = { line = 1, character = 0 }, ["end"] = { line = 1, character = 5 } },
  context = { diagnostics = {} },
}, 5000, bufnr)
local fix
for _, action in ipairs((actions and actions.result) or {}) do
  if action.title == "Use CONCURRENTLY" then fix = action end
end
if not fix then fail("no CONCURRENTLY quick fix") end
vim.lsp.util.apply_workspace_edit(fix.edit, "utf-16")
local line = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
if not line:find("CREATE INDEX CONCURRENTLY", 1, true) then fail("edit not applied: " .. line) end
if not vim.wait(15000, function() return not has_diagnostic("SHARE on table users") end, 20) then
  fail("diagnostic did not go away after the fix")
end

vim.cmd("LockwardTrace")
if not vim.wait(30000, function() return has_diagnostic("Confirmed by trace") end, 50) then
  fail(":LockwardTrace did not upgrade the diagnostics")
end

client.stop()
vim.wait(3000, function() return client.is_stopped() end, 20)
print("neovim client: plugin attach, diagnostics, hover, code action and :LockwardTrace OK")
vim.cmd("qall!")
