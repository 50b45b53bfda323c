;;; lockward.el --- lockward for Emacs through eglot  -*- lexical-binding: t; -*-

;; Registers `lockward lsp' with eglot for SQL buffers and adds `lockward-trace'.
;; Usage:
;;   (add-to-list 'load-path "/path/to/lockward/editors/emacs")
;;   (require 'lockward)
;;   (add-hook 'sql-mode-hook #'eglot-ensure)
;; Settings go to the server as initialization options (and the "lockward" section of
;; workspace/configuration):
;;   (setq lockward-settings '(:pgVersion 15 :migrationTool "goose"))
;;
;; Only eglot's and jsonrpc's public interface is used: the `lockward-server' class, the
;; generic functions `eglot-initialization-options', `eglot-execute-command' and
;; `eglot-handle-notification', `eglot-current-server' and `jsonrpc-async-request'.
;; The trace runs without blocking Emacs; `lockward-trace-status' (in the mode line) follows
;; it: "tracing…", its progress, then the counts of confirmed predictions and mismatches.

;;; Code:

(require 'eglot)
(require 'jsonrpc)
(require 'url-util)

(defgroup lockward nil "PostgreSQL migration lock analysis." :group 'tools)

(defcustom lockward-command '("lockward" "lsp")
  "Command that starts the lockward language server."
  :type '(repeat string))

(defcustom lockward-settings nil
  "The lockward settings section, as a plist (see the lockward README)."
  :type 'plist)

(defcustom lockward-trace-timeout 600
  "Seconds a trace may take before Emacs stops waiting for its answer."
  :type 'integer)

(defvar-local lockward-trace-status nil
  "The state of this buffer's last trace, as the mode line shows it.
nil when the buffer was never traced.")
(put 'lockward-trace-status 'risky-local-variable t)

(defconst lockward--mode-line-entry '(lockward-trace-status (" " lockward-trace-status))
  "The mode-line construct that shows `lockward-trace-status'.")

(unless (member lockward--mode-line-entry mode-line-misc-info)
  (setq mode-line-misc-info (cons lockward--mode-line-entry mode-line-misc-info)))

(defclass lockward-server (eglot-lsp-server) ()
  :documentation "The lockward language server.")

(cl-defmethod eglot-initialization-options ((_server lockward-server))
  (or lockward-settings (make-hash-table)))

(add-to-list 'eglot-server-programs
             `((sql-mode sql-interactive-mode) . (lockward-server . ,lockward-command)))

(defconst lockward--uri-path-allowed-chars
  (let ((vec (copy-sequence url-path-allowed-chars)))
    (aset vec ?: nil)
    vec)
  "Characters left as they are in a file URI's path (as eglot writes them).")

(defun lockward--path-to-uri (path)
  "The file URI of PATH, written the way eglot writes the document's URI."
  (if (fboundp 'eglot-path-to-uri)      ; public from eglot 1.16
      (funcall 'eglot-path-to-uri path)
    (concat "file://"
            (url-hexify-string (directory-file-name (file-local-name (file-truename path)))
                               lockward--uri-path-allowed-chars))))

(defun lockward--uri-buffer (uri)
  "The live buffer visiting the file of URI, or nil."
  (let ((path (url-unhex-string (url-filename (url-generic-parse-url uri)))))
    (and (not (string-empty-p path)) (find-buffer-visiting path))))

(defun lockward--set-status (buffer status)
  "Show STATUS for BUFFER's trace in the mode line."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (setq lockward-trace-status status)
      (force-mode-line-update))))

(defun lockward--counts (confirmed mismatches errors)
  "The mode-line words for a finished trace."
  (format "lockward: %s confirmed, %s mismatch%s%s"
          confirmed mismatches (if (eql mismatches 1) "" "es")
          (if (and errors (> errors 0)) (format ", %s error%s" errors (if (eql errors 1) "" "s")) "")))

(cl-defmethod eglot-handle-notification
  ((_server lockward-server) (_method (eql lockward/traceStatus))
   &key uri state message confirmed mismatches errors &allow-other-keys)
  "Keep the mode line of URI's buffer current with its trace.
STATE, MESSAGE, CONFIRMED, MISMATCHES and ERRORS come from the server."
  (let ((buffer (lockward--uri-buffer uri)))
    (lockward--set-status
     buffer
     (pcase state
       ("running" "lockward: tracing…")
       ("done" (lockward--counts confirmed mismatches errors))
       ("cancelled" "lockward: trace cancelled")
       (_ (format "lockward: trace failed%s" (if message (concat " (" message ")") "")))))))

(defvar lockward--progress-buffers (make-hash-table :test #'equal)
  "The buffer of each running trace, by its progress token.")

(defvar lockward--next-token 0)

(cl-defmethod eglot-handle-notification
  ((_server lockward-server) (_method (eql $/progress)) &key token value &allow-other-keys)
  "Show a lockward trace's progress (VALUE for TOKEN) in its buffer's mode line."
  (let ((buffer (gethash token lockward--progress-buffers)))
    (when buffer
      (pcase (plist-get value :kind)
        ("report" (lockward--set-status buffer (format "lockward: tracing, %s" (plist-get value :message))))
        ("end" (remhash token lockward--progress-buffers))))))

(defun lockward--trace-async (server uri buffer)
  "Ask SERVER to trace URI without waiting.
The mode line of BUFFER and the echo area follow the trace."
  (lockward--set-status buffer "lockward: tracing…")
  (let ((token (format "lockward-emacs-%d" (cl-incf lockward--next-token))))
    (puthash token buffer lockward--progress-buffers)
    (lockward--request-trace server uri buffer token)))

(defun lockward--request-trace (server uri buffer token)
  "Send the trace request for URI with progress TOKEN; the answer updates BUFFER."
  (jsonrpc-async-request
   server :workspace/executeCommand
   `(:command "lockward.trace" :arguments ,(vector uri) :workDoneToken ,token)
   :success-fn (lambda (result)
                 (lockward--set-status buffer (lockward--counts (plist-get result :confirmed)
                                                                (plist-get result :mismatches)
                                                                (plist-get result :errors)))
                 (message "lockward trace: %s" (plist-get result :summary)))
   :error-fn (lambda (error)
               (lockward--set-status buffer "lockward: trace failed")
               (message "lockward trace: %s" (plist-get error :message)))
   :timeout-fn (lambda ()
                 (lockward--set-status buffer "lockward: trace timed out")
                 (message "lockward trace: no answer after %s s" lockward-trace-timeout))
   :timeout lockward-trace-timeout))

(cl-defmethod eglot-execute-command ((server lockward-server) (_command (eql lockward.trace)) arguments)
  "Run the trace code action's command (ARGUMENTS: the URI) without blocking Emacs."
  (let* ((uri (let ((first (and (> (length arguments) 0) (elt arguments 0))))
                (if (stringp first) first (plist-get first :uri))))
         (buffer (or (and uri (lockward--uri-buffer uri)) (current-buffer))))
    (lockward--trace-async server uri buffer)))

(defun lockward-trace ()
  "Trace this migration in a throwaway PostgreSQL; upgrade its diagnostics.
Returns at once; the mode line shows `lockward-trace-status'."
  (interactive)
  (let ((server (eglot-current-server)))
    (unless server (user-error "lockward is not running for this buffer"))
    (unless buffer-file-name (user-error "This buffer visits no file"))
    (lockward--trace-async server (lockward--path-to-uri buffer-file-name) (current-buffer))))

(provide 'lockward)
;;; lockward.el ends here
