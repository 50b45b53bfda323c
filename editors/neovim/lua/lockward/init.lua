-- lockward for Neovim: attaches `lockward lsp` to SQL buffers, with plain vim.lsp (0.7+) or
-- nvim-lspconfig when it is installed, and adds :LockwardTrace.
--   require('lockward').setup{ settings = { pgVersion = 15, migrationTool = 'goose' } }
local M = {}

M.config = {
  cmd = { "lockward", "lsp" },
  filetypes = { "sql", "pgsql" },
  root_markers = { ".lockward.toml", ".git" },
  settings = {},            -- the "lockward" settings section (see the README)
  use_lspconfig = true,     -- register with nvim-lspconfig when it is available
}

local function root_dir(bufnr)
  local file = vim.api.nvim_buf_get_name(bufnr)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  for _, marker in ipairs(M.config.root_markers) do
    local found = vim.fn.findfile(marker, dir .. ";")
    if found == "" then found = vim.fn.finddir(marker, dir .. ";") end
    if found ~= "" then return vim.fn.fnamemodify(found, ":p:h"):gsub("/%.git$", "") end
  end
  return dir
end

local clients = {}  -- root dir → client id

function M.attach(bufnr)
  bufnr = bufnr == 0 and vim.api.nvim_get_current_buf() or bufnr
  local root = root_dir(bufnr)
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client({
      name = "lockward",
      cmd = M.config.cmd,
      root_dir = root,
      init_options = M.config.settings,
      settings = { lockward = M.config.settings },
    })
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

-- Traces the buffer's migration in a throwaway PostgreSQL; diagnostics are upgraded when it ends.
function M.trace(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = client_for(bufnr)
  if not client then
    vim.notify("lockward is not attached to this buffer", vim.log.levels.WARN)
    return
  end
  client.request("workspace/executeCommand",
    { command = "lockward.trace", arguments = { vim.uri_from_bufnr(bufnr) } },
    function(err, result)
      if err then
        vim.notify("lockward trace: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      elseif result then
        vim.notify("lockward trace: " .. result.summary)
      end
    end, bufnr)
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", M.config, opts or {})
  local ok, configs = pcall(require, "lspconfig.configs")
  if ok and M.config.use_lspconfig then
    if not configs.lockward then
      configs.lockward = {
        default_config = {
          cmd = M.config.cmd,
          filetypes = M.config.filetypes,
          root_dir = require("lspconfig.util").root_pattern(unpack(M.config.root_markers)),
          init_options = M.config.settings,
          settings = { lockward = M.config.settings },
        },
      }
    end
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
