-- lockward for Neovim: attaches `lockward lsp` to SQL buffers with plain vim.lsp (0.7+), or
-- registers with nvim-lspconfig when asked to, and adds :LockwardTrace.
--   require('lockward').setup{ settings = { pgVersion = 15, migrationTool = 'goose' } }
local M = {}

M.config = {
  cmd = { "lockward", "lsp" },
  filetypes = { "sql", "pgsql" },
  root_markers = { ".lockward.toml", ".git" },
  settings = {},            -- the "lockward" settings section (see the README)
  log_level = nil,          -- the server's --log-level: nil = warnings and errors only
  use_lspconfig = false,    -- register with nvim-lspconfig (when it is installed) instead
}

-- The command that starts the server, with the chosen log level.
function M.command()
  local cmd = vim.deepcopy(M.config.cmd)
  if M.config.log_level then
    table.insert(cmd, "--log-level")
    table.insert(cmd, M.config.log_level)
  end
  return cmd
end

-- The folder above `file` holding a root marker, else the file's own folder: a lone
-- migration file gets the server too.
function M.root_dir(file)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  for _, marker in ipairs(M.config.root_markers) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found == "" then found = vim.fn.finddir(marker, dir .. ";") end
    if found ~= "" then return (vim.fn.fnamemodify(found, ":p:h"):gsub("/%.git$", "")) end
  end
  return dir
end

-- Shows each trace's state in b:lockward_trace_status (for a statusline) and as a message.
local function on_trace_status(_, result)
  if type(result) ~= "table" or not result.uri then return end
  local ok, bufnr = pcall(vim.uri_to_bufnr, result.uri)
  if not ok or not vim.api.nvim_buf_is_valid(bufnr) then return end
  local status
  if result.state == "running" then
    status = "lockward: tracing…"
  elseif result.state == "done" then
    status = string.format("lockward: %d confirmed, %d mismatches", result.confirmed or 0, result.mismatches or 0)
    if (result.errors or 0) > 0 then status = status .. string.format(", %d errors", result.errors) end
  else
    status = "lockward: trace " .. tostring(result.state)
  end
  vim.api.nvim_buf_set_var(bufnr, "lockward_trace_status", status)
  if result.state ~= "running" then vim.notify("lockward trace: " .. (result.message or status)) end
  vim.cmd("redrawstatus")
end

-- The configuration shared by both ways of starting the server.
local function client_config()
  return {
    cmd = M.command(),
    init_options = M.config.settings,
    settings = { lockward = M.config.settings },
    handlers = { ["lockward/traceStatus"] = on_trace_status },
    -- The "Trace this migration" code action runs like :LockwardTrace.
    commands = { ["lockward.trace"] = function(_, ctx) M.trace(ctx.bufnr) end },
  }
end

-- The nvim-lspconfig entry: `require('lspconfig.configs').lockward = { default_config = … }`.
function M.lspconfig_config()
  return vim.tbl_extend("force", client_config(), {
    filetypes = M.config.filetypes,
    root_dir = function(fname) return M.root_dir(fname) end,
    single_file_support = true,
  })
end

local clients = {}  -- root dir → client id

function M.attach(bufnr)
  bufnr = bufnr == 0 and vim.api.nvim_get_current_buf() or bufnr
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(vim.tbl_extend("force", client_config(), { name = "lockward", root_dir = root }))
    clients[root] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

local function client_for(bufnr)
  for _, client in pairs(vim.lsp.get_active_clients()) do
    if client.name == "lockward" and vim.lsp.buf_is_attached(bufnr, client.id) then return client end
  end
end

-- Traces the buffer's migration in a throwaway PostgreSQL; diagnostics are upgraded when it
-- ends. Returns at once; progress goes to the LSP progress messages, the state to
-- b:lockward_trace_status.
function M.trace(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if not client then
    vim.notify("lockward is not attached to this buffer", vim.log.levels.WARN)
    return
  end
  client.request("workspace/executeCommand",
    { command = "lockward.trace", arguments = { vim.uri_from_bufnr(bufnr) } },
    function(err)
      if err then vim.notify("lockward trace: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR) end
    end, bufnr)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
  local ok, configs = pcall(require, "lspconfig.configs")
  if ok and M.config.use_lspconfig then
    if not configs.lockward then configs.lockward = { default_config = M.lspconfig_config() } end
    require("lspconfig").lockward.setup({})
  else
    vim.api.nvim_create_autocmd("FileType", {
      pattern = M.config.filetypes,
      callback = function(args) M.attach(args.buf) end,
    })
  end
  vim.api.nvim_create_user_command("LockwardTrace", function() M.trace(0) end,
    { desc = "Trace this migration in a throwaway PostgreSQL" })
end

return M
