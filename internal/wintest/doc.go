// Package wintest holds the Windows end-to-end suite: the real
// posbackup.exe (a GOOS=windows build) run under Wine on Linux, in a fresh
// Wine prefix per test run: drive letters, a UNC share, a file held open
// without sharing, the dialog, the service under Wine's service manager,
// and the MSI installer (built with wixl, installed with Wine's msiexec).
//
// The tests skip when wine, mingw-w64 or wixl are missing, and fail
// instead with CI=true (.ci/windows.sh installs them).
package wintest
