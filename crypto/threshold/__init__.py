"""Spec §7 Threshold keys: a t-of-n Pedersen/Feldman key ceremony and threshold decryption.

The ceremony, step by step (every message has ``to_json``/``from_json`` for the board):

1. §7.1 each trustee i publishes ``generate_trustee_key(...).public``: E_i = g^e_i with a proof;
   anyone checks it with ``verify_trustee_key``.
2. §7.2-§7.3 each dealer publishes a ``Dealing`` from ``deal``: Feldman commitments with a proof
   of knowledge of a_i0, and s_ij = f_i(j) for every other trustee j in a hashed-ElGamal box
   (an ephemeral key R with its own proof of knowledge, and a SecretBox); ``verify_dealing``.
3. §7.4 each recipient runs ``open_share``; on InvalidShare it publishes ``complain(...)``,
   which reveals the box's shared secret S with a DLEQ proof; ``adjudicate_complaint`` names
   the dealer or the complainant from public data alone.
4. §7.5 ``verify_ceremony`` gives the qualified dealers Q, the ``JointKey`` (Y and every X_j)
   and the verdicts; each trustee runs ``derive_key_share`` and publishes ``confirm_key``.
5. §7.6-§7.7 ``partial_decrypt`` gives D_j = alpha^x_j with a DLEQ proof;
   ``threshold_decrypt`` verifies them and combines the t lowest valid indices by Lagrange
   interpolation at 0 (``derive_interpolating_value``).
6. §7.8 a list (the last shuffle's outputs, §6.8): ``partial_decrypt_list`` gives every
   D_i = alpha_i^x_j with ONE DLEQ proof over a hash-weighted combination;
   ``threshold_decrypt_list`` verifies and combines them; ``check_list_plaintexts`` checks
   claimed plaintexts against t verified list decryptions at once (``combine_list_plaintext``
   combines one).

Secret-holding values (``TrusteeKeyPair``, ``DealerSecret``, ``KeyShare``) never show their
secrets in repr; ``export_secret`` gives bytes for ``crypto.sealing.seal``.
"""

from crypto.threshold._ceremony import (
    CeremonyResult,
    Disqualification,
    JointKey,
    KeyConfirmation,
    KeyShare,
    confirm_key,
    derive_key_share,
    unsafe_confirm_key,
    verify_ceremony,
    verify_key_confirmation,
)
from crypto.threshold._complaints import (
    Complaint,
    Ruling,
    Verdict,
    adjudicate_complaint,
    complain,
    unsafe_complain,
)
from crypto.threshold._dealing import (
    DealerSecret,
    Dealing,
    EncryptedShare,
    deal,
    open_share,
    unsafe_deal,
    verify_dealing,
)
from crypto.threshold._decryption import (
    PartialDecryption,
    combine_decryption_shares,
    combine_partial_decryptions,
    partial_decrypt,
    partial_decrypt_many,
    threshold_decrypt,
    threshold_decrypt_many,
    unsafe_partial_decrypt,
    verify_partial_decryption,
)
from crypto.threshold._keys import (
    TrusteeKeyPair,
    TrusteePublicKey,
    generate_trustee_key,
    unsafe_generate_trustee_key,
    verify_trustee_key,
)
from crypto.threshold._list_decryption import (
    ListPartialDecryption,
    check_list_plaintexts,
    combine_list_plaintext,
    partial_decrypt_list,
    threshold_decrypt_list,
    unsafe_partial_decrypt_list,
    verify_list_partial_decryption,
)
from crypto.threshold._parameters import ThresholdParameters, derive_interpolating_value

__all__ = [
    "CeremonyResult",
    "Complaint",
    "DealerSecret",
    "Dealing",
    "Disqualification",
    "EncryptedShare",
    "JointKey",
    "KeyConfirmation",
    "KeyShare",
    "ListPartialDecryption",
    "PartialDecryption",
    "Ruling",
    "ThresholdParameters",
    "TrusteeKeyPair",
    "TrusteePublicKey",
    "Verdict",
    "adjudicate_complaint",
    "check_list_plaintexts",
    "combine_decryption_shares",
    "combine_list_plaintext",
    "combine_partial_decryptions",
    "complain",
    "confirm_key",
    "deal",
    "derive_interpolating_value",
    "derive_key_share",
    "generate_trustee_key",
    "open_share",
    "partial_decrypt",
    "partial_decrypt_list",
    "partial_decrypt_many",
    "threshold_decrypt",
    "threshold_decrypt_list",
    "threshold_decrypt_many",
    "unsafe_complain",
    "unsafe_confirm_key",
    "unsafe_deal",
    "unsafe_generate_trustee_key",
    "unsafe_partial_decrypt",
    "unsafe_partial_decrypt_list",
    "verify_ceremony",
    "verify_dealing",
    "verify_key_confirmation",
    "verify_list_partial_decryption",
    "verify_partial_decryption",
    "verify_trustee_key",
]
