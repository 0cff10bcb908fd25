;;; eglot_test.el --- Emacs + eglot end-to-end test of ossa-lsp, in --batch  -*- lexical-binding: t -*-
;; Loads the set-up snippet of docs/editors.md verbatim (OSSA_SNIPPET), opens the manifest (OSSA_FILE):
;; the snippet's mode and `eglot-ensure' hook start `ossa-lsp'. Then checks diagnostics, completion
;; after `provider: ' and hover, and writes a JSON result to OSSA_OUT; exit status 0 = pass.
;;   emacs --batch -Q -l eglot_test.el
;; Batch-mode notes: -Q drops site-lisp, so Debian's elpa dir is added for eglot (Emacs 28 has no
;; built-in eglot); `eglot-ensure' connects from `post-command-hook', which batch mode never runs, so it
;; is run once by hand; Flymake's idle timers don't run either, so diagnostics are read where eglot
;; receives them.
(require 'package)
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'json)
(require 'cl-lib)

(defvar ossa-t0 (float-time))
(defvar ossa-steps nil)
(defvar ossa-checks nil)
(defvar ossa-diags nil "Diagnostics eglot received for the manifest.")
(defvar ossa-completion nil)
(defun ossa-step (s) (push (format "%dms %s" (round (* 1000 (- (float-time) ossa-t0))) s) ossa-steps))
(defun ossa-check (name ok &optional detail)
  (push `((name . ,name) (ok . ,(if ok t :json-false)) (detail . ,(format "%S" detail))) ossa-checks)
  (ossa-step (format "%s %s" (if ok "PASS" "FAIL") name))
  (unless ok (error "check failed: %s: %S" name detail)))
(defun ossa-wait (pred secs)
  (let ((end (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.05))
    (funcall pred)))
(defun ossa-finish (ok &optional err)
  (with-temp-file (getenv "OSSA_OUT")
    (insert (json-encode
             `((emacs . ,emacs-version) (ok . ,(if ok t :json-false)) (error . ,err)
               (steps . ,(vconcat (reverse ossa-steps))) (checks . ,(vconcat (reverse ossa-checks)))
               (diagnostics . ,(vconcat (mapcar (lambda (d) (plist-get d :message)) ossa-diags)))
               (completion . ,(vconcat ossa-completion))))))
  (kill-emacs (if ok 0 1)))

(load (getenv "OSSA_SNIPPET") nil t t)   ; the docs snippet, verbatim
(require 'eglot)
(setq eglot-sync-connect 15 eglot-connect-timeout 30)
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest args)
              (when (eq method 'textDocument/publishDiagnostics)
                (setq ossa-diags (append (plist-get args :diagnostics) nil)))))

(condition-case e
    (progn
      (find-file (getenv "OSSA_FILE"))
      (ossa-check "major mode from the snippet" (eq major-mode 'ossa-yaml-mode) major-mode)
      (run-hooks 'post-command-hook)   ; what `eglot-ensure' waits for
      (ossa-check "eglot connected by the snippet's hook" (ossa-wait #'eglot-managed-p 30))
      (ossa-wait (lambda () (>= (length (cl-remove-if-not (lambda (d) (eql (plist-get d :severity) 1)) ossa-diags)) 2)) 30)
      (let* ((errors (cl-remove-if-not (lambda (d) (eql (plist-get d :severity) 1)) ossa-diags))
             (messages (mapcar (lambda (d) (plist-get d :message)) errors))
             (provider (cl-find-if (lambda (d) (string-match-p "Did you mean `openai`" (plist-get d :message))) errors)))
        (ossa-check "two errors" (= (length errors) 2) messages)
        (ossa-check "provider: our message, on the value"
                    (and provider (equal (plist-get provider :source) "ossa-schema")
                         (equal (plist-get (plist-get (plist-get provider :range) :start) :line) 19)
                         (equal (plist-get (plist-get (plist-get provider :range) :start) :character) 14))
                    provider)
        (ossa-check "currency: our message"
                    (cl-some (lambda (m) (string-match-p "`currency` must be three upper-case letters" m)) messages)))
      ;; Hover on the `provider' key (line 20, column 6).
      (goto-char (point-min)) (forward-line 19) (forward-char 6)
      (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                     (eglot--TextDocumentPositionParams)))
             (contents (plist-get hover :contents))
             (text (if (stringp contents) contents (plist-get contents :value))))
        (ossa-check "hover on provider" (and text (string-match-p "Who serves the model" text)) text))
      ;; Completion after `provider: ' through eglot's completion-at-point.
      (goto-char (point-min)) (forward-line 19)
      (delete-region (point) (line-end-position))
      (insert "    provider: ")
      (eglot--signal-textDocument/didChange)
      (let* ((capf (eglot-completion-at-point))
             (table (nth 2 capf)))
        (setq ossa-completion (all-completions "" table)))
      (ossa-check "completion after `provider: '"
                  (cl-every (lambda (p) (member p ossa-completion))
                            '("openai" "anthropic" "google" "azure" "ollama" "custom"))
                  ossa-completion)
      (set-buffer-modified-p nil)
      (ignore-errors (eglot-shutdown (eglot-current-server)))
      (ossa-step "shutdown")
      (ossa-finish t))
  (error (ossa-finish nil (format "%S" e))))
