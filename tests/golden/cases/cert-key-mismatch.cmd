# A pasted private key must belong to the pasted certificate: the commit
# checks the pair (import checks it too); a matching pair is saved.
config system certificate local
edit pasted
set certificate "-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUes+u8tS9DkofWRry3xaej/zoygUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwORm9ydGluZXRfTG9jYWwwIBcNMjYxMTI5MTkyNDUwWhgPMjEy
NjExMDUxOTI0NTBaMBkxFzAVBgNVBAMMDkZvcnRpbmV0X0xvY2FsMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEGbS2N/IqpqvHujaam1eXo4LH686fvYqkHiE17oo3
/Y9ziCBeB08YHpV+YkeFbAbkbeZZQ2bVo1oV3wDGGpjbuqNTMFEwHQYDVR0OBBYE
FOQVgFqmtpM8+uDAZI+kVqlARpkmMB8GA1UdIwQYMBaAFOQVgFqmtpM8+uDAZI+k
VqlARpkmMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgFt0yj4Td
BZ5csnS8rMHDKbTh/MylMpk1tVnh00ZAnmQCIQCdlhaoV/C9fX+ZFenwrKFbJsNd
dtuZ+1T/j5mRqxmZ4Q==
-----END CERTIFICATE-----
"
set private-key "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVFSmlWMCSgtviCM6
g692zqh6oZgpQZQ1yX19/FLGmlehRANCAAR6puGDX1VZ9oIMSv7rhckLvvw4uhwL
wlqs+ivXlcklObuMdhEkNWxgaV+WTwtYoDphORZZ/MrOj3T4oambmaQI
-----END PRIVATE KEY-----
"
end
abort
config system certificate local
edit pasted
set certificate "-----BEGIN CERTIFICATE-----
MIIBiTCCAS+gAwIBAgIUes+u8tS9DkofWRry3xaej/zoygUwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwORm9ydGluZXRfTG9jYWwwIBcNMjYxMTI5MTkyNDUwWhgPMjEy
NjExMDUxOTI0NTBaMBkxFzAVBgNVBAMMDkZvcnRpbmV0X0xvY2FsMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEGbS2N/IqpqvHujaam1eXo4LH686fvYqkHiE17oo3
/Y9ziCBeB08YHpV+YkeFbAbkbeZZQ2bVo1oV3wDGGpjbuqNTMFEwHQYDVR0OBBYE
FOQVgFqmtpM8+uDAZI+kVqlARpkmMB8GA1UdIwQYMBaAFOQVgFqmtpM8+uDAZI+k
VqlARpkmMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIgFt0yj4Td
BZ5csnS8rMHDKbTh/MylMpk1tVnh00ZAnmQCIQCdlhaoV/C9fX+ZFenwrKFbJsNd
dtuZ+1T/j5mRqxmZ4Q==
-----END CERTIFICATE-----
"
set private-key "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7McJK6+PUP28giIF
U5wFQSIgYZ3/np+uo3FZXAxAIL6hRANCAAQZtLY38iqmq8e6NpqbV5ejgsfrzp+9
iqQeITXuijf9j3OIIF4HTxgelX5iR4VsBuRt5llDZtWjWhXfAMYamNu6
-----END PRIVATE KEY-----
"
end
get system certificate local
