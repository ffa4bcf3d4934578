"""Texts of the accounts area (Korean first, English beside it)."""

from __future__ import annotations

_PASSWORD_HINT = {
    "ko": "{min}자 이상으로 정하세요. 서로 관계없는 단어 몇 개를 이으면 기억하기 쉽고 추측하기 어렵습니다.",
    "en": "Use at least {min} characters; a few unrelated words are easy to remember and hard "
    "to guess.",
}

MESSAGES: dict[str, dict[str, str]] = {
    "err.accounts.locked": {
        "ko": "로그인 실패가 너무 많아 잠겼습니다. 약 {minutes}분 후에 다시 시도하세요.",
        "en": "Too many failed sign-ins. Try again in about {minutes} minute(s).",
    },
    "err.accounts.locked.hint": {
        "ko": "비밀번호를 잊었다면 관리자가 새 비밀번호를 정해 줄 수 있습니다.",
        "en": "If you forgot your password, an administrator can set a new one.",
    },
    "err.accounts.wrong_password": {
        "ko": "현재 비밀번호가 틀렸습니다.",
        "en": "The current password is wrong.",
    },
    "err.accounts.wrong_password.hint": {
        "ko": "지금 로그인할 때 쓰는 비밀번호를 입력하세요.",
        "en": "Type the password you sign in with now.",
    },
    "err.accounts.bad_login": {
        "ko": "아이디 {login!r}은(는) 쓸 수 없습니다.",
        "en": "The login {login!r} is not valid.",
    },
    "err.accounts.bad_login.hint": {
        "ko": "영문·한글·숫자 또는 . _ - @ + 로 2~64자를 쓰세요.",
        "en": "Use 2 to 64 letters, digits or the characters . _ - @ +.",
    },
    "err.accounts.login_taken": {
        "ko": "아이디 {login!r}은(는) 이미 쓰이고 있습니다.",
        "en": "The login {login!r} is already taken.",
    },
    "err.accounts.login_taken.hint": {
        "ko": "다른 아이디를 고르세요.",
        "en": "Choose another login.",
    },
    "err.accounts.login_confusable": {
        "ko": "아이디 {login!r}은(는) 이미 있는 아이디 {existing!r}와(과) 똑같아 보입니다.",
        "en": "The login {login!r} looks like the existing login {existing!r}.",
    },
    "err.accounts.login_confusable.hint": {
        "ko": "달리 읽히는 아이디를 고르세요 (전각 문자나 키릴 문자가 섞였는지 확인하세요).",
        "en": "Choose a login that reads differently (check for fullwidth or Cyrillic letters).",
    },
    "err.accounts.login_reserved": {
        "ko": "아이디 {login!r}은(는) 조직 {organisation!r}의 이름으로 끝납니다.",
        "en": "The login {login!r} ends in the name of the organisation {organisation!r}.",
    },
    "err.accounts.login_reserved.hint": {
        "ko": "'@'와(과) 조직 이름으로 끝나는 아이디는 그 조직의 것입니다. 다른 끝을 쓰세요.",
        "en": "Logins ending in '@' and an organisation's name belong to that organisation: "
        "choose another ending.",
    },
    "err.accounts.org_name_used": {
        "ko": "조직 이름 {name!r}은(는) 이미 아이디 {login!r}의 끝에 쓰였습니다.",
        "en": "The organisation name {name!r} already ends the login {login!r}.",
    },
    "err.accounts.org_name_used.hint": {
        "ko": "다른 조직 이름을 고르세요.",
        "en": "Choose another organisation name.",
    },
    "err.accounts.password.too_short": {
        "ko": "비밀번호가 너무 짧습니다. {min}자 이상이어야 합니다.",
        "en": "The password is too short: it needs at least {min} characters.",
    },
    "err.accounts.password.too_short.hint": _PASSWORD_HINT,
    "err.accounts.password.too_long": {
        "ko": "비밀번호가 너무 깁니다. 최대 {max}자입니다.",
        "en": "The password is too long: at most {max} characters.",
    },
    "err.accounts.password.equals_login": {
        "ko": "비밀번호가 아이디와 같으면 안 됩니다.",
        "en": "The password must not be the same as the login name.",
    },
    "err.accounts.password.equals_login.hint": _PASSWORD_HINT,
    "err.accounts.password.one_character": {
        "ko": "한 글자만 반복한 비밀번호는 쓸 수 없습니다.",
        "en": "The password must not repeat a single character.",
    },
    "err.accounts.password.one_character.hint": _PASSWORD_HINT,
    "err.accounts.password.too_common": {
        "ko": "너무 흔해서 가장 먼저 추측되는 비밀번호입니다.",
        "en": "This password is one of the most common ones and is guessed first.",
    },
    "err.accounts.password.too_common.hint": _PASSWORD_HINT,
    # Refused by the strength estimator (zxcvbn): the reason is the kind of pattern it found.
    "err.accounts.password.contains_login": {
        "ko": "아이디나 조직 이름을 바탕으로 한 비밀번호는 쉽게 추측됩니다.",
        "en": "The password is built on the login or the organisation's name.",
    },
    "err.accounts.password.contains_login.hint": _PASSWORD_HINT,
    "err.accounts.password.repeated": {
        "ko": "같은 글자나 낱말을 되풀이한 비밀번호('abcabc' 같은)는 금방 추측됩니다.",
        "en": "The password is a repetition (like 'abcabc') and is guessed quickly.",
    },
    "err.accounts.password.repeated.hint": _PASSWORD_HINT,
    "err.accounts.password.keyboard": {
        "ko": "자판에서 이어진 키를 누른 비밀번호는 금방 추측됩니다.",
        "en": "The password is a run of keys on the keyboard and is guessed quickly.",
    },
    "err.accounts.password.keyboard.hint": _PASSWORD_HINT,
    "err.accounts.password.sequence": {
        "ko": "차례로 이어진 글자나 숫자('abcdef', '123456' 같은)는 금방 추측됩니다.",
        "en": "The password is a sequence (like 'abcdef' or '123456') and is guessed quickly.",
    },
    "err.accounts.password.sequence.hint": _PASSWORD_HINT,
    "err.accounts.password.dates": {
        "ko": "날짜나 연도가 대부분인 비밀번호는 금방 추측됩니다.",
        "en": "The password is mostly a date or a year and is guessed quickly.",
    },
    "err.accounts.password.dates.hint": _PASSWORD_HINT,
    "err.accounts.password.guessable": {
        "ko": "너무 쉽게 추측되는 비밀번호입니다.",
        "en": "The password is too easy to guess.",
    },
    "err.accounts.password.guessable.hint": _PASSWORD_HINT,
    "web.password.contains_login": {
        "ko": "아이디나 조직 이름을 바탕으로 한 비밀번호는 쓸 수 없습니다.",
        "en": "The password must not be built on the login or the organisation's name.",
    },
    "web.password.repeated": {
        "ko": "되풀이한 비밀번호('abcabc' 같은)는 쓸 수 없습니다.",
        "en": "A repetition (like 'abcabc') is guessed quickly.",
    },
    "web.password.keyboard": {
        "ko": "자판에서 이어진 키는 금방 추측됩니다.",
        "en": "A run of keys on the keyboard is guessed quickly.",
    },
    "web.password.sequence": {
        "ko": "차례로 이어진 글자나 숫자는 금방 추측됩니다.",
        "en": "A sequence (like 'abcdef' or '123456') is guessed quickly.",
    },
    "web.password.dates": {
        "ko": "날짜나 연도가 대부분인 비밀번호는 금방 추측됩니다.",
        "en": "A password that is mostly a date or a year is guessed quickly.",
    },
    "web.password.guessable": {
        "ko": "너무 쉽게 추측되는 비밀번호입니다.",
        "en": "The password is too easy to guess.",
    },
    "err.accounts.mismatch": {
        "ko": "새 비밀번호 두 칸이 서로 다릅니다.",
        "en": "The two new passwords differ.",
    },
    "err.accounts.no_user": {
        "ko": "사용자 {login!r}이(가) 없습니다.",
        "en": "No user {login!r}.",
    },
    "err.accounts.no_user.hint": {
        "ko": "openkamp users list 로 사용자를 확인하세요.",
        "en": "See the users with: openkamp users list",
    },
    # settings page: one's own password, an administrator's reset
    "accounts.password.title": {"ko": "내 비밀번호 바꾸기", "en": "Change my password"},
    "accounts.password.old": {"ko": "현재 비밀번호", "en": "Current password"},
    "accounts.password.new": {"ko": "새 비밀번호", "en": "New password"},
    "accounts.password.new2": {"ko": "새 비밀번호 확인", "en": "Repeat the new password"},
    "accounts.password.submit": {"ko": "비밀번호 바꾸기", "en": "Change the password"},
    "accounts.password.changed": {
        "ko": "비밀번호를 바꿨습니다. 다른 곳의 로그인은 모두 끝났습니다.",
        "en": "Password changed. Every other session of yours has ended.",
    },
    "accounts.reset.button": {"ko": "비밀번호 재설정", "en": "Reset password"},
    "accounts.reset.confirm": {
        "ko": "이 사용자의 비밀번호를 새로 정할까요? 지금 로그인한 곳은 모두 끝납니다.",
        "en": "Give this user a new password? Their sessions end.",
    },
    "accounts.reset.done": {
        "ko": "{login}의 새 비밀번호입니다. 지금만 보이니 본인에게 전달하세요:",
        "en": "The new password of {login}. It is shown only now: pass it on:",
    },
    # settings page: adding a user
    "accounts.add.suffix_hint": {
        "ko": "아이디 뒤에 {suffix}이(가) 자동으로 붙습니다. 예: hong → hong{suffix}",
        "en": "{suffix} is added to the login: hong becomes hong{suffix}.",
    },
    "accounts.add.created": {
        "ko": "사용자를 만들었습니다. 로그인할 때 쓸 아이디입니다. 본인에게 전달하세요:",
        "en": "User created. This is the login to sign in with: pass it on:",
    },
    "accounts.login.locked": {
        "ko": "로그인 실패가 많아 잠겼습니다. 약 {minutes}분 후에 다시 시도하세요.",
        "en": "Too many failed sign-ins: try again in about {minutes} minute(s).",
    },
    "accounts.scope.read": {"ko": "읽기", "en": "read"},
    "accounts.scope.write": {"ko": "읽기·쓰기", "en": "read and write"},
    "accounts.scope.admin": {"ko": "관리", "en": "admin"},
    # command line
    "accounts.cli.new_password": {
        "ko": "{login}의 새 비밀번호 (한 번만 표시됩니다)",
        "en": "New password of {login} (shown only once)",
    },
    "accounts.cli.created": {
        "ko": "사용자 {login} ({role}) 를 만들었습니다. 비밀번호 (한 번만 표시됩니다)",
        "en": "Created user {login} ({role}). Password (shown only once)",
    },
    "accounts.cli.admin_exists": {
        "ko": "로그인 계정이 이미 있습니다. 비밀번호를 잊었다면: openkamp users reset-password 아이디",
        "en": "Logins exist already. Forgot a password? openkamp users reset-password LOGIN",
    },
}
