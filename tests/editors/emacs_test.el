;;; emacs_test.el --- Debian's Emacs + eglot in batch mode against the real lockward -*- lexical-binding: t; -*-
;; Run: LOCKWARD_BINARY=… LOCKWARD_SQL_FILE=… LOCKWARD_EMACS_DIR=editors/emacs emacs --batch -Q -l emacs_test.el
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (getenv "LOCKWARD_EMACS_DIR"))
(require 'lockward)
(setq lockward-command (list (getenv "LOCKWARD_BINARY") "lsp"))
(setq eglot-server-programs
      (cons `((sql-mode) . (lockward-server . ,lockward-command)) eglot-server-programs))

(defun lockward-test-fail (message)
  (princ (format "FAIL: %s\n" message) #'external-debugging-output)
  (kill-emacs 1))

(find-file (getenv "LOCKWARD_SQL_FILE"))
(sql-mode)
;; eglot-ensure defers to post-command-hook, which batch mode never runs.
(setq project-find-functions (list (lambda (_) (cons 'transient default-directory))))
(apply #'eglot (eglot--guess-contact))

(defun lockward-test-diagnostics ()
  (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))

(let ((deadline (+ (float-time) 20)))
  (while (and (< (float-time) deadline)
              (not (seq-some (lambda (text) (string-match-p "SHARE on table users" text))
                             (lockward-test-diagnostics))))
    (accept-process-output nil 0.05)))
(unless (seq-some (lambda (text) (string-match-p "SHARE on table users" text)) (lockward-test-diagnostics))
  (lockward-test-fail (format "no create-index diagnostic; got %S" (lockward-test-diagnostics))))

(let* ((server (eglot-current-server))
       (hover (jsonrpc-request server :textDocument/hover
                               `(:textDocument (:uri ,(eglot--path-to-uri (buffer-file-name)))
                                 :position (:line 1 :character 3)))))
  (unless (string-match-p "SHARE" (plist-get (plist-get hover :contents) :value))
    (lockward-test-fail "hover did not explain the lock")))

(princ "emacs eglot: diagnostics and hover OK\n")
(let ((eglot-autoshutdown t)) (ignore-errors (eglot-shutdown (eglot-current-server))))
(kill-emacs 0)
