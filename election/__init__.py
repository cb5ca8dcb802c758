"""Elections: definitions, roll, ballot styles, issuer, trustee and voter logic, counting."""
