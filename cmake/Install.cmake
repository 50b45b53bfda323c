# `cmake --install` and `cpack -G DEB`: the binary (its rule is in server/CMakeLists.txt), a
# man page made from `lockward --help`, and the editor files that belong on disk where each
# editor finds them without configuration. scripts/package.sh builds the packages.
include(GNUInstallDirs)

# help2man turns --help into lockward.1 (CLI11 writes no man page itself); ManCommands.cmake
# adds every subcommand's --help as a COMMANDS section.
# Not in sanitizer trees: nobody installs those, and the build would run an instrumented binary.
find_program(HELP2MAN_EXECUTABLE help2man)
if(HELP2MAN_EXECUTABLE AND NOT LOCKWARD_SANITIZE)
  set(LOCKWARD_MAN_PAGE ${CMAKE_CURRENT_BINARY_DIR}/man/lockward.1)
  set(LOCKWARD_MAN_INCLUDE ${CMAKE_CURRENT_BINARY_DIR}/man/commands.h2m)
  add_custom_command(
    OUTPUT ${LOCKWARD_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -DLOCKWARD=$<TARGET_FILE:lockward> -DOUT=${LOCKWARD_MAN_INCLUDE}
            -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManCommands.cmake
    COMMAND ${HELP2MAN_EXECUTABLE} --no-info --no-discard-stderr
            --name "which lock each PostgreSQL migration statement takes"
            --version-string "lockward ${PROJECT_VERSION}"
            --include ${LOCKWARD_MAN_INCLUDE}
            --output ${LOCKWARD_MAN_PAGE} $<TARGET_FILE:lockward>
    DEPENDS lockward ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManCommands.cmake
    COMMENT "Generating the lockward(1) man page with help2man"
    VERBATIM)
  add_custom_target(lockward_man_page ALL DEPENDS ${LOCKWARD_MAN_PAGE})
  install(FILES ${LOCKWARD_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page (scripts/install-deps.sh installs it)")
endif()

# Neovim: a package under the site directory loads by itself (packpath includes
# $XDG_DATA_DIRS/nvim/site); the user still calls require('lockward').setup{}.
install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/editors/neovim/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/nvim/site/pack/lockward/start/lockward)
# Emacs: site-lisp is on Debian's load-path, so (require 'lockward) works.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/editors/emacs/lockward.el
        DESTINATION ${CMAKE_INSTALL_DATADIR}/emacs/site-lisp)
# Helix, JetBrains and Emacs: snippets and notes to copy into the editor's own config.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/editors/helix/languages.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/helix)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/editors/jetbrains/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/jetbrains)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/editors/emacs/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/emacs)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package. dpkg-shlibdeps derives Depends from what the binary links (libpq5,
# libspdlog, libtomlplusplus3, …; libpg_query is linked in); a trace needs a PostgreSQL, hence Recommends.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lockward)
set(CPACK_PACKAGE_VENDOR lockward)
set(CPACK_PACKAGE_CONTACT "lockward maintainers <lockward@users.noreply.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "PostgreSQL migration lock analyser, language server and tracer")
set(CPACK_PACKAGE_DESCRIPTION
  "lockward tells the author of a PostgreSQL migration which lock each statement takes, on which relations, what that lock blocks, how risky it is and how to write it safely; `lockward trace` proves it in a throwaway PostgreSQL. One binary: check, explain, trace and a language server (lockward lsp).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "neovim, elpa-eglot")
include(CPack)
