;;; emacs_test.el --- Debian's Emacs + eglot in batch mode against the real lockward -*- lexical-binding: t; -*-
;; A user's session with editors/emacs/lockward.el on a lone migration file: eglot attaches,
;; diagnostics and hover arrive, each kind of code action is applied (through
;; `eglot-code-actions', as M-x would) and the file is analysed again, and `lockward-trace'
;; runs without blocking, shows its state in the mode line and upgrades the diagnostics.
;; Run: LOCKWARD_BINARY=… LOCKWARD_SQL_FILE=… LOCKWARD_EMACS_DIR=editors/emacs emacs --batch -Q -l emacs_test.el
(dolist (dir (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*"))
  (add-to-list 'load-path dir))
(add-to-list 'load-path (getenv "LOCKWARD_EMACS_DIR"))
(require 'lockward)
(setq lockward-command (list (getenv "LOCKWARD_BINARY") "lsp"))
(setq lockward-settings '(:pgVersion 15))
(setq eglot-server-programs
      (cons `((sql-mode) . (lockward-server . ,lockward-command)) eglot-server-programs))

(defun lockward-test-fail (message)
  (princ (format "FAIL: %s\n" message) #'external-debugging-output)
  (kill-emacs 1))

(defun lockward-test-wait (predicate seconds)
  "Process the server's messages until PREDICATE holds or SECONDS pass; PREDICATE's value."
  (let ((deadline (+ (float-time) seconds)) value)
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun lockward-test-diagnostics (&optional line)
  "The texts of the Flymake diagnostics, on LINE (0-based) only when given."
  (save-excursion
    (let ((beg (point-min)) (end (point-max)))
      (when line
        (goto-char (point-min))
        (forward-line line)
        (setq beg (line-beginning-position) end (line-end-position)))
      (mapcar #'flymake-diagnostic-text (flymake-diagnostics beg end)))))

(defun lockward-test-has (fragment &optional line)
  (seq-some (lambda (text) (string-match-p (regexp-quote fragment) text)) (lockward-test-diagnostics line)))

(defun lockward-test-line (line)
  (save-excursion (goto-char (point-min)) (forward-line line)
                  (buffer-substring-no-properties (line-beginning-position) (line-end-position))))

(defun lockward-test-mode-line ()
  "What lockward adds to the mode line, checking that it is part of it.
Batch Emacs has no frame to render a mode line (`format-mode-line' gives \"\"), so the
construct is checked to be in `mode-line-misc-info' and read the way the mode line reads it."
  (unless (and (memq 'mode-line-misc-info (default-value 'mode-line-format))
               (member lockward--mode-line-entry mode-line-misc-info))
    (lockward-test-fail "lockward-trace-status is not in the mode line"))
  (pcase lockward--mode-line-entry
    (`(,var (" " ,shown)) (if (symbol-value var) (concat " " (symbol-value shown)) ""))))

(defun lockward-test-apply (line kind title)
  "Run the code action of KIND titled TITLE on LINE the way M-x eglot-code-actions does."
  (save-excursion
    (goto-char (point-min))
    (forward-line line)
    (let ((completing-read-function
           (lambda (_prompt collection &rest _)
             (or (car (assoc title collection))
                 (lockward-test-fail (format "no %s action %S on line %d; offered %S"
                                             kind title line (mapcar #'car collection))))))
          (last-nonmenu-event ?x))      ; a keyboard command: no popup menu
      (eglot-code-actions (line-beginning-position) (line-end-position) kind t)))
  ;; Saving sends the changes (eglot sends them on idle, and batch Emacs is never idle).
  (save-buffer))

(find-file (getenv "LOCKWARD_SQL_FILE"))
(sql-mode)
;; eglot-ensure defers to post-command-hook, which batch mode never runs. The file is alone
;; in its folder (no VCS), so eglot makes it a transient project.
(apply #'eglot (eglot--guess-contact))

(unless (lockward-test-wait (lambda () (lockward-test-has "SHARE on table users" 1)) 20)
  (lockward-test-fail (format "no create-index diagnostic; got %S" (lockward-test-diagnostics))))

(let* ((server (eglot-current-server))
       (hover (jsonrpc-request server :textDocument/hover
                               `(:textDocument (:uri ,(lockward--path-to-uri (buffer-file-name)))
                                 :position (:line 1 :character 3)))))
  (unless (string-match-p "`SHARE` on table `users`" (plist-get (plist-get hover :contents) :value))
    (lockward-test-fail "hover did not explain the lock")))
(princ "emacs eglot: lone file attached, diagnostics and hover OK\n")

;; quickfix: the safe rewrite.
(lockward-test-apply 1 "quickfix" "Use CONCURRENTLY")
(unless (string-match-p "CREATE INDEX CONCURRENTLY" (lockward-test-line 1))
  (lockward-test-fail (format "quick fix not applied: %s" (lockward-test-line 1))))
(unless (lockward-test-wait (lambda () (and (not (lockward-test-has "SHARE on table users" 1))
                                            (lockward-test-has "SHARE UPDATE EXCLUSIVE" 1)))
                            20)
  (lockward-test-fail (format "line 2 not analysed again after the fix: %S" (lockward-test-diagnostics 1))))
;; source.fixAll.lockward: every drop-in rewrite (the other index).
(lockward-test-apply 2 "source.fixAll.lockward" "Apply every safe drop-in rewrite (lockward)")
(unless (string-match-p "CREATE INDEX CONCURRENTLY" (lockward-test-line 2))
  (lockward-test-fail (format "fix-all not applied: %s" (lockward-test-line 2))))
(unless (lockward-test-wait (lambda () (lockward-test-has "SHARE UPDATE EXCLUSIVE" 2)) 20)
  (lockward-test-fail (format "line 3 not analysed again after fix-all: %S" (lockward-test-diagnostics 2))))
;; quickfix: an ignore comment.
(unless (lockward-test-has "ACCESS EXCLUSIVE" 3)
  (lockward-test-fail (format "no add-unique diagnostic: %S" (lockward-test-diagnostics))))
(lockward-test-apply 3 "quickfix" "Ignore add-unique for this statement")
(unless (lockward-test-wait (lambda () (not (lockward-test-has "ACCESS EXCLUSIVE"))) 20)
  (lockward-test-fail (format "the ignored finding is still shown: %S" (lockward-test-diagnostics))))
(princ "emacs eglot: quickfix, source.fixAll.lockward and ignore applied and analysed again OK\n")

;; source.lockward.trace: the code action starts the trace and returns at once.
(let ((seen '()))
  (add-variable-watcher 'lockward-trace-status
                        (lambda (_symbol value _op _where) (when value (push value seen))))
  (lockward-test-apply 1 "source.lockward.trace" "Trace this migration (PostgreSQL 15)")
  (unless (string-match-p "tracing" (or lockward-trace-status ""))
    (lockward-test-fail (format "the trace did not return at once: status %S" lockward-trace-status)))
  (unless (string-match-p "lockward: tracing" (lockward-test-mode-line))
    (lockward-test-fail (format "mode line without the trace: %S" (lockward-test-mode-line))))
  (unless (lockward-test-wait (lambda () (string-match-p "confirmed" (or lockward-trace-status ""))) 90)
    (lockward-test-fail (format "the trace did not finish: %S (seen %S)" lockward-trace-status (reverse seen))))
  (unless (string-match-p "lockward: [0-9]+ confirmed, 0 mismatches" (lockward-test-mode-line))
    (lockward-test-fail (format "mode line after the trace: %S" (lockward-test-mode-line))))
  (unless (seq-some (lambda (s) (string-match-p "statement [0-9]+ of [0-9]+" s)) seen)
    (lockward-test-fail (format "no progress in the mode line: %S" (reverse seen))))
  (unless (lockward-test-wait (lambda () (lockward-test-has "Confirmed by trace" 1)) 20)
    (lockward-test-fail (format "diagnostics not upgraded: %S" (lockward-test-diagnostics))))
  (princ (format "emacs eglot: trace code action OK, mode line went %S\n" (reverse seen))))

;; M-x lockward-trace: the same, through the command.
(setq lockward-trace-status nil)
(lockward-trace)
(unless (string-match-p "tracing" (or lockward-trace-status ""))
  (lockward-test-fail (format "M-x lockward-trace blocked: status %S" lockward-trace-status)))
(unless (lockward-test-wait (lambda () (string-match-p "confirmed" (or lockward-trace-status ""))) 90)
  (lockward-test-fail (format "M-x lockward-trace did not finish: %S" lockward-trace-status)))
(princ (format "emacs eglot: M-x lockward-trace OK (%s)\n" lockward-trace-status))

(let ((eglot-autoshutdown t)) (ignore-errors (eglot-shutdown (eglot-current-server))))
(kill-emacs 0)
