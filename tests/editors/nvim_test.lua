-- Headless Neovim (0.7+) end-to-end test of ossa-lsp with the set-up snippet of docs/editors.md,
-- loaded verbatim (OSSA_SNIPPET). Opening the manifest fires the snippet's FileType autocmd, which
-- starts `ossa-lsp`; this script then reads what the user would get: diagnostics, completion after
-- `provider: `, hover, content detection, and `ossa-lsp.validateWorkspace`.
--   OSSA_SNIPPET=ossa.lua OSSA_FILE=ws/agent.ossa.yaml OSSA_OTHER=ws/agents/notifier.yaml OSSA_OUT=r.json \
--   nvim --headless -n -i NONE --noplugin -u nvim_test.lua
-- Writes a JSON result to OSSA_OUT and exits 0 (pass) or 1 (fail).
local uv = vim.loop
local t0 = uv.hrtime()
local result = { nvim = tostring(vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch),
  steps = {}, checks = {} }
local function step(s) table.insert(result.steps, math.floor((uv.hrtime() - t0) / 1e6) .. 'ms ' .. s) end
local function check(name, ok, detail)
  table.insert(result.checks, { name = name, ok = ok and true or false, detail = detail })
  step((ok and 'PASS ' or 'FAIL ') .. name)
  if not ok then error('check failed: ' .. name .. ': ' .. vim.inspect(detail)) end
end
local function finish(ok, err)
  result.ok = ok
  result.error = err
  local f = assert(io.open(assert(os.getenv('OSSA_OUT')), 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd(ok and 'qall!' or 'cquit! 1')
end
local function ossa_client(bufnr)
  for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if c.name == 'ossa-lsp' then return c end
  end
end
local function request(bufnr, method, params)
  local responses = vim.lsp.buf_request_sync(bufnr, method, params, 15000) or {}
  for _, r in pairs(responses) do
    if r.result then return r.result end
    if r.err then error(method .. ': ' .. vim.inspect(r.err)) end
  end
end

local ok, err = pcall(function()
  vim.cmd('filetype on')
  dofile(assert(os.getenv('OSSA_SNIPPET')))  -- the docs snippet, verbatim
  step('snippet loaded')
  vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('OSSA_FILE'))))
  local buf = vim.api.nvim_get_current_buf()
  check('filetype yaml', vim.bo[buf].filetype == 'yaml', vim.bo[buf].filetype)
  check('ossa-lsp attached by the snippet', vim.wait(15000, function() return ossa_client(buf) ~= nil end, 20))
  local client = ossa_client(buf)

  -- Diagnostics (pushed on Neovim 0.7-0.9, pulled on 0.10+).
  local errors = { severity = vim.diagnostic.severity.ERROR }  -- hints/infos (e.g. newer versions) may come and go
  vim.wait(20000, function() return #vim.diagnostic.get(buf, errors) >= 2 end, 50)
  local diags = {}
  for _, d in ipairs(vim.diagnostic.get(buf, errors)) do
    table.insert(diags, { message = d.message, source = d.source, lnum = d.lnum, col = d.col, severity = d.severity })
  end
  table.sort(diags, function(a, b) return a.lnum < b.lnum end)
  result.diagnostics = diags
  check('two errors', #diags == 2, diags)
  check('provider: our message, on the value', diags[1].message:find("got 'open-ai'. Did you mean `openai`?", 1, true)
    and diags[1].source == 'ossa-schema' and diags[1].lnum == 19 and diags[1].col == 14
    and diags[1].severity == vim.diagnostic.severity.ERROR, diags[1])
  check('currency: our message', diags[2].message:find('`currency` must be three upper-case letters', 1, true)
    and diags[2].lnum == 27 and diags[2].col == 16, diags[2])

  -- Hover on the `provider` key.
  local hover = request(buf, 'textDocument/hover',
    { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = 19, character = 6 } })
  local hover_text = hover and (hover.contents.value or vim.inspect(hover.contents)) or ''
  check('hover on provider', hover_text:find('Who serves the model', 1, true) ~= nil, hover_text:sub(1, 80))

  -- Completion after `provider: `.
  vim.api.nvim_buf_set_lines(buf, 19, 20, false, { '    provider: ' })
  vim.api.nvim_win_set_cursor(0, { 20, 14 })
  vim.wait(300)  -- let didChange go out (0.7 debounces it)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding or 'utf-16')
  local completion = request(buf, 'textDocument/completion', params) or {}
  local labels = {}
  for _, it in ipairs(completion.items or completion) do table.insert(labels, it.label) end
  result.completion = labels
  local want = { openai = true, anthropic = true, google = true, azure = true, ollama = true, custom = true }
  local found = 0
  for _, l in ipairs(labels) do if want[l] then found = found + 1 end end
  check('completion after `provider: `', found == 6, labels)

  -- Validate the workspace: the closed file with a planted error gets diagnostics.
  local summary = request(buf, 'workspace/executeCommand', { command = 'ossa-lsp.validateWorkspace' })
  check('validate workspace', summary and summary.files == 4 and summary.errors >= 3, summary)
  local reviewer = vim.fn.fnamemodify(os.getenv('OSSA_FILE'), ':p:h') .. '/agents/reviewer.ossa.yaml'
  local rbuf = vim.uri_to_bufnr(vim.uri_from_fname(reviewer))
  vim.wait(5000, function() return #vim.diagnostic.get(rbuf, errors) > 0 end, 50)
  local rd = vim.diagnostic.get(rbuf, errors)
  check('closed file diagnostic', #rd == 1 and rd[1].message:find('did you mean `temperature`', 1, true) ~= nil,
    rd[1] and rd[1].message)

  -- Content detection: a .yaml without .ossa. in its name but with `apiVersion: ossa/...`.
  vim.cmd('edit ' .. vim.fn.fnameescape(assert(os.getenv('OSSA_OTHER'))))
  local other = vim.api.nvim_get_current_buf()
  check('content-detected manifest attached', vim.wait(5000, function() return ossa_client(other) ~= nil end, 20))
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.fn.fnamemodify(os.getenv('OSSA_FILE'), ':p:h') .. '/settings.yaml'))
  check('plain YAML not attached', ossa_client(vim.api.nvim_get_current_buf()) == nil)

  vim.lsp.stop_client(client.id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client.id) == nil end, 50)
  step('client stopped')
end)
if ok then finish(true) else finish(false, tostring(err)) end
