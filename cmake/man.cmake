# The manual pages: three written by hand next to their programs, with the
# version filled in from VERSION, and appsh-config(5) written by a small
# program from the schema tables, so that it lists exactly what the shell
# accepts.  All land in <build>/man/; tests/man checks them with mandoc.
set(APPSH_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(APPSH_VERSION ${PROJECT_VERSION})
configure_file(cli/appsh.1.in ${APPSH_MAN_DIR}/appsh.1 @ONLY)
configure_file(maild/fazmaild.8.in ${APPSH_MAN_DIR}/fazmaild.8 @ONLY)
configure_file(maild/appsh-sendmail.8.in ${APPSH_MAN_DIR}/appsh-sendmail.8 @ONLY)

add_executable(appsh-config-man schema/man/appsh-config-man.c)
target_link_libraries(appsh-config-man PRIVATE appsh_schema PkgConfig::SSL)
add_custom_command(OUTPUT ${APPSH_MAN_DIR}/appsh-config.5
  COMMAND appsh-config-man ${PROJECT_VERSION} > ${APPSH_MAN_DIR}/appsh-config.5
  DEPENDS appsh-config-man
  COMMENT "Writing appsh-config(5) from the schema")
add_custom_target(man ALL DEPENDS ${APPSH_MAN_DIR}/appsh-config.5)
