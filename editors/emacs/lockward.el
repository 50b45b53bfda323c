;;; lockward.el --- lockward for Emacs through eglot  -*- lexical-binding: t; -*-

;; Registers `lockward lsp' with eglot for SQL buffers and adds `lockward-trace'.
;; Usage:
;;   (add-to-list 'load-path "/path/to/lockward/editors/emacs")
;;   (require 'lockward)
;;   (add-hook 'sql-mode-hook #'eglot-ensure)
;; Settings go to the server as initialization options (and the "lockward" section of
;; workspace/configuration):
;;   (setq lockward-settings '(:pgVersion 15 :migrationTool "goose"))

;;; Code:

(require 'eglot)

(defgroup lockward nil "PostgreSQL migration lock analysis." :group 'tools)

(defcustom lockward-command '("lockward" "lsp")
  "Command that starts the lockward language server."
  :type '(repeat string))

(defcustom lockward-settings nil
  "The lockward settings section, as a plist (see the lockward README)."
  :type 'plist)

(defclass lockward-server (eglot-lsp-server) ()
  :documentation "The lockward language server.")

(cl-defmethod eglot-initialization-options ((_server lockward-server))
  (or lockward-settings eglot--{}))

(add-to-list 'eglot-server-programs
             `((sql-mode sql-interactive-mode) . (lockward-server . ,lockward-command)))

(defun lockward-trace ()
  "Trace the current migration in a throwaway PostgreSQL and upgrade its diagnostics."
  (interactive)
  (let ((server (eglot-current-server)))
    (unless server (user-error "lockward is not running for this buffer"))
    (let ((result (jsonrpc-request server :workspace/executeCommand
                                   `(:command "lockward.trace"
                                     :arguments ,(vector (eglot--path-to-uri (buffer-file-name))))
                                   :timeout 120)))
      (message "lockward trace: %s" (plist-get result :summary)))))

(provide 'lockward)
;;; lockward.el ends here
