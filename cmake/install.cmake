# make install: the three programs side by side in bin (appsh and
# appsh-sendmail start the fazmaild found beside them), the manual pages
# and the systemd unit.  CMAKE_INSTALL_PREFIX (the Makefile's PREFIX,
# default /usr/local) and DESTDIR are honoured.  Ownership, the appsh group
# and set-group-ID bits are the privileged install step's business
# (scripts/install-login.sh, or the Debian package's postinst through
# dpkg-statoverride), never the build's.
include(GNUInstallDirs)
install(TARGETS appsh fazmaild appsh-sendmail RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The privilege split's helpers, where the build has them.
foreach(helper appsh-postdrop appsh-capture)
  if(TARGET ${helper})
    install(TARGETS ${helper} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()
install(FILES ${APPSH_MAN_DIR}/appsh.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${APPSH_MAN_DIR}/appsh-config.5 DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
install(FILES ${APPSH_MAN_DIR}/fazmaild.8 ${APPSH_MAN_DIR}/appsh-sendmail.8
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)

# The unit names the installed fazmaild: maild/fazmaild.service says
# /usr/local/bin, and the prefix's bin directory replaces it when it is
# installed (so `cmake --install --prefix` gets it right too).  systemd
# reads units from <prefix>/lib/systemd/system for /usr and /usr/local;
# Debian 12 packages use /lib/systemd/system (debian/rules says so).
set(APPSH_SYSTEMD_UNITDIR lib/systemd/system
  CACHE STRING "Where make install puts fazmaild.service (relative: under the prefix)")
install(CODE "
  set(unitdir \"${APPSH_SYSTEMD_UNITDIR}\")
  if(NOT IS_ABSOLUTE \"\${unitdir}\")
    set(unitdir \"\${CMAKE_INSTALL_PREFIX}/\${unitdir}\")
  endif()
  file(READ \"${CMAKE_SOURCE_DIR}/maild/fazmaild.service\" unit)
  string(REPLACE /usr/local/bin \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\" unit \"\${unit}\")
  file(WRITE \"${CMAKE_BINARY_DIR}/fazmaild.service\" \"\${unit}\")
  file(INSTALL \"${CMAKE_BINARY_DIR}/fazmaild.service\" DESTINATION \"\${unitdir}\")
")
